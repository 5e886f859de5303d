-- Job states as an enum type, the same three as JobState in Swift: a
-- misspelt state is an error, not a row no worker ever claims.
CREATE TYPE job_state AS ENUM ('available', 'running', 'failed');

-- The check and the partial indexes compare with text: rebuilt around the change.
ALTER TABLE inference_jobs DROP CONSTRAINT inference_jobs_state_check;
DROP INDEX inference_jobs_available;
DROP INDEX inference_jobs_running;
ALTER TABLE inference_jobs ALTER COLUMN state DROP DEFAULT;
ALTER TABLE inference_jobs ALTER COLUMN state TYPE job_state USING state::job_state;
ALTER TABLE inference_jobs ALTER COLUMN state SET DEFAULT 'available';
CREATE INDEX inference_jobs_available ON inference_jobs (run_at, id) WHERE state = 'available';
CREATE INDEX inference_jobs_running ON inference_jobs (locked_until) WHERE state = 'running';
