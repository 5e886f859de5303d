-- Per-case aggregates of each vital per minute and per hour: sample count,
-- and per vital sum, count, min and max (avg = sum / count, exact when
-- rolled up again). The API reads vitals_1m / vitals_1h and never knows
-- which of the two implementations below it is reading.
--
-- With TimescaleDB: continuous aggregates (real-time, hierarchical: the
-- hour is built from the minutes) with refresh policies.
-- Without: tables of the same names and columns that the inference workers
-- keep exact for the buckets each job touched; the read path adds buckets
-- whose jobs are still queued from the raw rows, so reads are never stale.

DO $outer$
DECLARE
    timescale boolean := false;
BEGIN
-- The TimescaleDB path when vitals is a hypertable (see 001); nested because
-- timescaledb_information exists only with the extension.
IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    timescale := EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                         WHERE hypertable_schema = current_schema() AND hypertable_name = 'vitals');
END IF;
IF timescale THEN
    EXECUTE $sql$
    CREATE MATERIALIZED VIEW vitals_1m
    WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
    SELECT case_id, time_bucket(interval '1 minute', ts) AS bucket, count(*) AS samples,
        sum(hr::float8) AS hr_sum, count(hr) AS hr_count, min(hr) AS hr_min, max(hr) AS hr_max,
        sum(sbp::float8) AS sbp_sum, count(sbp) AS sbp_count, min(sbp) AS sbp_min, max(sbp) AS sbp_max,
        sum(dbp::float8) AS dbp_sum, count(dbp) AS dbp_count, min(dbp) AS dbp_min, max(dbp) AS dbp_max,
        sum(mbp::float8) AS mbp_sum, count(mbp) AS mbp_count, min(mbp) AS mbp_min, max(mbp) AS mbp_max,
        sum(spo2::float8) AS spo2_sum, count(spo2) AS spo2_count, min(spo2) AS spo2_min, max(spo2) AS spo2_max,
        sum(rr::float8) AS rr_sum, count(rr) AS rr_count, min(rr) AS rr_min, max(rr) AS rr_max,
        sum(etco2::float8) AS etco2_sum, count(etco2) AS etco2_count, min(etco2) AS etco2_min, max(etco2) AS etco2_max,
        sum(temp::float8) AS temp_sum, count(temp) AS temp_count, min(temp) AS temp_min, max(temp) AS temp_max
    FROM vitals
    GROUP BY case_id, time_bucket(interval '1 minute', ts)
    WITH NO DATA
    $sql$;
    EXECUTE $sql$
    CREATE MATERIALIZED VIEW vitals_1h
    WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
    SELECT case_id, time_bucket(interval '1 hour', bucket) AS bucket, sum(samples)::bigint AS samples,
        sum(hr_sum) AS hr_sum, sum(hr_count)::bigint AS hr_count, min(hr_min) AS hr_min, max(hr_max) AS hr_max,
        sum(sbp_sum) AS sbp_sum, sum(sbp_count)::bigint AS sbp_count, min(sbp_min) AS sbp_min, max(sbp_max) AS sbp_max,
        sum(dbp_sum) AS dbp_sum, sum(dbp_count)::bigint AS dbp_count, min(dbp_min) AS dbp_min, max(dbp_max) AS dbp_max,
        sum(mbp_sum) AS mbp_sum, sum(mbp_count)::bigint AS mbp_count, min(mbp_min) AS mbp_min, max(mbp_max) AS mbp_max,
        sum(spo2_sum) AS spo2_sum, sum(spo2_count)::bigint AS spo2_count, min(spo2_min) AS spo2_min, max(spo2_max) AS spo2_max,
        sum(rr_sum) AS rr_sum, sum(rr_count)::bigint AS rr_count, min(rr_min) AS rr_min, max(rr_max) AS rr_max,
        sum(etco2_sum) AS etco2_sum, sum(etco2_count)::bigint AS etco2_count, min(etco2_min) AS etco2_min, max(etco2_max) AS etco2_max,
        sum(temp_sum) AS temp_sum, sum(temp_count)::bigint AS temp_count, min(temp_min) AS temp_min, max(temp_max) AS temp_max
    FROM vitals_1m
    GROUP BY case_id, time_bucket(interval '1 hour', bucket)
    WITH NO DATA
    $sql$;
    -- No start_offset (NULL: from the beginning). Real-time aggregation reads
    -- raw rows only above the watermark, so a bucket below it that a policy
    -- never refreshes stays wrong: with a 7-day start_offset a case older than
    -- 7 days ingested after a refresh never appeared at all. A refresh only
    -- recomputes buckets the invalidation log marks as changed, so covering
    -- all time costs nothing when old data does not change.
    PERFORM add_continuous_aggregate_policy('vitals_1m', start_offset => NULL,
        end_offset => interval '1 minute', schedule_interval => interval '1 minute');
    PERFORM add_continuous_aggregate_policy('vitals_1h', start_offset => NULL,
        end_offset => interval '1 hour', schedule_interval => interval '5 minutes');
ELSE
    CREATE TABLE vitals_1m (
    case_id text        NOT NULL,
    bucket  timestamptz NOT NULL,
    samples bigint      NOT NULL,
    hr_sum   double precision, hr_count bigint NOT NULL DEFAULT 0, hr_min real, hr_max real,
    sbp_sum   double precision, sbp_count bigint NOT NULL DEFAULT 0, sbp_min real, sbp_max real,
    dbp_sum   double precision, dbp_count bigint NOT NULL DEFAULT 0, dbp_min real, dbp_max real,
    mbp_sum   double precision, mbp_count bigint NOT NULL DEFAULT 0, mbp_min real, mbp_max real,
    spo2_sum   double precision, spo2_count bigint NOT NULL DEFAULT 0, spo2_min real, spo2_max real,
    rr_sum   double precision, rr_count bigint NOT NULL DEFAULT 0, rr_min real, rr_max real,
    etco2_sum   double precision, etco2_count bigint NOT NULL DEFAULT 0, etco2_min real, etco2_max real,
    temp_sum   double precision, temp_count bigint NOT NULL DEFAULT 0, temp_min real, temp_max real,
    PRIMARY KEY (case_id, bucket)
    );
    CREATE TABLE vitals_1h (LIKE vitals_1m INCLUDING ALL);
    INSERT INTO vitals_1m
    SELECT case_id, date_trunc('minute', ts), count(*),
        sum(hr::float8) AS hr_sum, count(hr) AS hr_count, min(hr) AS hr_min, max(hr) AS hr_max,
        sum(sbp::float8) AS sbp_sum, count(sbp) AS sbp_count, min(sbp) AS sbp_min, max(sbp) AS sbp_max,
        sum(dbp::float8) AS dbp_sum, count(dbp) AS dbp_count, min(dbp) AS dbp_min, max(dbp) AS dbp_max,
        sum(mbp::float8) AS mbp_sum, count(mbp) AS mbp_count, min(mbp) AS mbp_min, max(mbp) AS mbp_max,
        sum(spo2::float8) AS spo2_sum, count(spo2) AS spo2_count, min(spo2) AS spo2_min, max(spo2) AS spo2_max,
        sum(rr::float8) AS rr_sum, count(rr) AS rr_count, min(rr) AS rr_min, max(rr) AS rr_max,
        sum(etco2::float8) AS etco2_sum, count(etco2) AS etco2_count, min(etco2) AS etco2_min, max(etco2) AS etco2_max,
        sum(temp::float8) AS temp_sum, count(temp) AS temp_count, min(temp) AS temp_min, max(temp) AS temp_max
    FROM vitals GROUP BY case_id, date_trunc('minute', ts);
    INSERT INTO vitals_1h
    SELECT case_id, date_trunc('hour', bucket), sum(samples)::bigint,
        sum(hr_sum) AS hr_sum, sum(hr_count)::bigint AS hr_count, min(hr_min) AS hr_min, max(hr_max) AS hr_max,
        sum(sbp_sum) AS sbp_sum, sum(sbp_count)::bigint AS sbp_count, min(sbp_min) AS sbp_min, max(sbp_max) AS sbp_max,
        sum(dbp_sum) AS dbp_sum, sum(dbp_count)::bigint AS dbp_count, min(dbp_min) AS dbp_min, max(dbp_max) AS dbp_max,
        sum(mbp_sum) AS mbp_sum, sum(mbp_count)::bigint AS mbp_count, min(mbp_min) AS mbp_min, max(mbp_max) AS mbp_max,
        sum(spo2_sum) AS spo2_sum, sum(spo2_count)::bigint AS spo2_count, min(spo2_min) AS spo2_min, max(spo2_max) AS spo2_max,
        sum(rr_sum) AS rr_sum, sum(rr_count)::bigint AS rr_count, min(rr_min) AS rr_min, max(rr_max) AS rr_max,
        sum(etco2_sum) AS etco2_sum, sum(etco2_count)::bigint AS etco2_count, min(etco2_min) AS etco2_min, max(etco2_max) AS etco2_max,
        sum(temp_sum) AS temp_sum, sum(temp_count)::bigint AS temp_count, min(temp_min) AS temp_min, max(temp_max) AS temp_max
    FROM vitals_1m GROUP BY case_id, date_trunc('hour', bucket);
END IF;
END
$outer$;
