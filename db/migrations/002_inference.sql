-- Cases, trained models, per-sample anomaly scores and anomaly episodes.

-- One row per case, kept by ingest in the transaction that stores samples.
CREATE TABLE cases (
    case_id    text PRIMARY KEY,
    first_ts   timestamptz NOT NULL,
    last_ts    timestamptz NOT NULL,
    samples    bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_last_ts ON cases (last_ts);
INSERT INTO cases (case_id, first_ts, last_ts, samples)
    SELECT case_id, min(ts), max(ts), count(*) FROM vitals GROUP BY case_id;


-- Trained Isolation Forests. At most one is active; workers load it and
-- reload when another is activated (NOTIFY physio_models).
CREATE TABLE models (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    activated_at  timestamptz,
    active        boolean     NOT NULL DEFAULT false,
    threshold     double precision NOT NULL,
    feature_names text[]      NOT NULL,
    metadata      jsonb       NOT NULL DEFAULT '{}',
    body          bytea       NOT NULL
);
CREATE UNIQUE INDEX models_one_active ON models (active) WHERE active;

CREATE FUNCTION models_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('physio_models', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER models_notify AFTER INSERT OR UPDATE OF active ON models
    FOR EACH STATEMENT EXECUTE FUNCTION models_notify();

-- One score per sample (2^(-E[h]/c(n)): higher is more abnormal), written
-- ON CONFLICT DO UPDATE so a re-run job changes nothing.
CREATE TABLE anomaly_scores (
    case_id     text        NOT NULL,
    ts          timestamptz NOT NULL,
    score       real        NOT NULL,
    anomalous   boolean     NOT NULL,
    rules       text[]      NOT NULL DEFAULT '{}',
    model_id    bigint      NOT NULL REFERENCES models (id),
    ingested_at timestamptz NOT NULL,
    scored_at   timestamptz NOT NULL,
    PRIMARY KEY (case_id, ts)
);

-- Consecutive anomalous samples (gaps up to 30 s) merged into one event,
-- identified by its case and start. drivers: the vitals that drove the peak
-- sample with their share, e.g. [{"vital":"sbp","weight":0.7}, …]; rules:
-- the clinical threshold rules true at any of its samples.
CREATE TABLE anomaly_episodes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     text        NOT NULL,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz NOT NULL,
    peak_at     timestamptz NOT NULL,
    peak_score  real        NOT NULL,
    drivers     jsonb       NOT NULL DEFAULT '[]',
    rules       text[]      NOT NULL DEFAULT '{}',
    model_id    bigint      NOT NULL REFERENCES models (id),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (started_at <= ended_at)
);
CREATE UNIQUE INDEX anomaly_episodes_case_start ON anomaly_episodes (case_id, started_at);

-- A hypertable too when vitals is one (see 001).
DO $$
DECLARE
    timescale boolean := false;
BEGIN
    -- Nested: timescaledb_information exists only with the extension.
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        timescale := EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                             WHERE hypertable_schema = current_schema() AND hypertable_name = 'vitals');
    END IF;
    IF timescale THEN
        PERFORM create_hypertable('anomaly_scores', 'ts', chunk_time_interval => interval '1 day');
    END IF;
END
$$;
