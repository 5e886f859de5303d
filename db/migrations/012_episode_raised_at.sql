-- When an episode's first alarm was raised, in sample time. The safety
-- floor stores a breach's rows from its first one, but raises it only once
-- it has lasted a minute: started_at says when the patient crossed the
-- limit, raised_at when the server said so. NULL for episodes stored
-- before this migration.
ALTER TABLE anomaly_episodes ADD COLUMN raised_at timestamptz;
