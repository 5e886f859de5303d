-- Time-range reads across cases ("every case, the last hour": a Grafana
-- panel, an export without case_id) are index scans, not a scan of the
-- whole table. The primary keys lead with case_id, so they cannot serve
-- them.
--
-- Raw rows (vitals, anomaly_scores) arrive in time order, so a BRIN index
-- (block ranges with their min and max ts) finds the last hour in a few
-- kilobytes of index and costs ingest next to nothing; a B-tree on ts
-- would grow by ~20 bytes per sample and slow every COPY (docs/design.md,
-- "Time ranges across cases"). autosummarize: a block range is summarised
-- as soon as ingest moves past it, not at the next VACUUM. Under
-- TimescaleDB the hypertables already have a B-tree on ts per chunk
-- (create_hypertable's default index) and chunk exclusion, and the
-- continuous aggregates' materialisations an index on bucket: nothing to add.
DO $$
DECLARE
    timescale boolean := false;
BEGIN
    -- Nested: timescaledb_information exists only with the extension.
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        timescale := EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                             WHERE hypertable_schema = current_schema() AND hypertable_name = 'vitals');
    END IF;
    IF NOT timescale THEN
        CREATE INDEX vitals_ts ON vitals USING brin (ts) WITH (autosummarize = on);
        CREATE INDEX anomaly_scores_ts ON anomaly_scores USING brin (ts) WITH (autosummarize = on);
        -- Aggregates are written per bucket as jobs finish, not strictly in
        -- order, and are small: B-trees.
        CREATE INDEX vitals_1m_bucket ON vitals_1m (bucket);
        CREATE INDEX vitals_1h_bucket ON vitals_1h (bucket);
    END IF;
END
$$;

-- Episodes are a table on both paths. An episode overlaps [from, to] when
-- it ends at or after from and starts at or before to; for recent ranges
-- the end is the selective bound.
CREATE INDEX anomaly_episodes_ended_at ON anomaly_episodes (ended_at);
