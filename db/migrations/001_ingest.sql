-- Vitals, the inference queue and API tokens.

-- One wide row per sample instant; missing vitals are NULL.
CREATE TABLE vitals (
    case_id text        NOT NULL,
    ts      timestamptz NOT NULL,
    hr      real,
    sbp     real,
    dbp     real,
    mbp     real,
    spo2    real,
    rr      real,
    etco2   real,
    temp    real,
    PRIMARY KEY (case_id, ts)
);

-- Under TimescaleDB vitals is a hypertable; later migrations take the
-- TimescaleDB path exactly when it is. TimescaleDB is used when its extension
-- is already created here (by an administrator, or a template database) or
-- can be: installed and preloaded. pg_settings, unlike current_setting(),
-- hides shared_preload_libraries from roles that may not read it instead of
-- failing, so such roles get plain PostgreSQL unless the extension exists.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
       OR (EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
           AND EXISTS (SELECT 1 FROM pg_settings
                       WHERE name = 'shared_preload_libraries' AND setting LIKE '%timescaledb%')) THEN
        CREATE EXTENSION IF NOT EXISTS timescaledb;
        PERFORM create_hypertable('vitals', 'ts', chunk_time_interval => interval '1 day');
    END IF;
END
$$;

-- The inference queue. One row per case per ingest commit, inserted in the
-- same transaction as the samples it covers; deleted in the transaction
-- that writes its scores. States (after River):
--   available  waiting to run (run_at says from when; retries are scheduled here)
--   running    claimed by a worker until locked_until; then another may take it
--   failed     gave up after max_attempts; kept with last_error (dead letter)
CREATE TABLE inference_jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      text        NOT NULL,
    ts_from      timestamptz NOT NULL,
    ts_to        timestamptz NOT NULL,
    samples      integer     NOT NULL,
    state        text        NOT NULL DEFAULT 'available'
                 CHECK (state IN ('available', 'running', 'failed')),
    attempts     integer     NOT NULL DEFAULT 0,
    max_attempts integer     NOT NULL DEFAULT 10,
    run_at       timestamptz NOT NULL DEFAULT now(),
    locked_by    text,
    locked_until timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (ts_from <= ts_to)
);
CREATE INDEX inference_jobs_available ON inference_jobs (run_at, id) WHERE state = 'available';
CREATE INDEX inference_jobs_running ON inference_jobs (locked_until) WHERE state = 'running';
CREATE INDEX inference_jobs_case ON inference_jobs (case_id, ts_from);

-- Wake idle workers: one notification per inserting statement, not per row.
CREATE FUNCTION inference_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('physio_jobs', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER inference_jobs_notify AFTER INSERT ON inference_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION inference_jobs_notify();

-- Bearer tokens, stored as SHA-256 of the token; the token itself is shown once.
CREATE TABLE api_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    token_hash bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    scopes     text[]      NOT NULL CHECK (scopes <@ ARRAY['ingest', 'read', 'export', 'admin']),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
