-- Plain PostgreSQL: vitals and anomaly_scores are partitioned by UTC day of
-- ts, so retention drops whole days instead of deleting rows one by one
-- (docs/retention.md). Partitions of each table T:
--   T_YYYYMMDD  one per UTC day, created ahead of time (7 days) by the
--               workers every hour and by `physio retention`;
--   T_default   whatever no day covers (a monitor whose clock is far ahead,
--               a backfill of an old case); retention deletes from it in
--               batches;
--   T_before    the rows stored before this migration, if there were any:
--               every time up to the first day partition.
-- Under TimescaleDB the hypertables are chunked by day already: nothing
-- changes there.

-- Creates the missing day partitions of `parent` from `first_day` to
-- `last_day` (UTC days), moving their rows out of the default partition, and
-- skips days that T_before covers. Returns how many it created. Attaching
-- (not CREATE … PARTITION OF) takes only a SHARE UPDATE EXCLUSIVE lock on
-- the parent, so ingest goes on meanwhile.
CREATE FUNCTION physio_add_day_partitions(parent text, first_day date, last_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    day date := first_day;
    covered_until date;
    partition text;
    low timestamptz;
    high timestamptz;
    added integer := 0;
BEGIN
    -- Several workers' processes may run this at once.
    PERFORM pg_advisory_xact_lock(hashtext('physio_add_day_partitions'), hashtext(parent));
    SELECT (substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz AT TIME ZONE 'UTC')::date
      INTO covered_until
      FROM pg_class c WHERE c.oid = to_regclass(parent || '_before');
    IF covered_until IS NOT NULL AND day < covered_until THEN
        day := covered_until;
    END IF;
    WHILE day <= last_day LOOP
        partition := parent || '_' || to_char(day, 'YYYYMMDD');
        IF to_regclass(partition) IS NULL THEN
            low := day::timestamp AT TIME ZONE 'UTC';
            high := (day + 1)::timestamp AT TIME ZONE 'UTC';
            EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)', partition, parent);
            EXECUTE format('WITH moved AS (DELETE FROM %I WHERE ts >= %L AND ts < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                           parent || '_default', low, high, partition);
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, partition, low, high);
            added := added + 1;
        END IF;
        day := day + 1;
    END LOOP;
    RETURN added;
END
$$;

-- The days from the newest day partition (or today) to `days_ahead` days
-- from now, so that live samples always land in a day partition.
CREATE FUNCTION physio_extend_day_partitions(parent text, days_ahead integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    today date := (now() AT TIME ZONE 'UTC')::date;
    newest date;
BEGIN
    SELECT max(to_date(right(c.relname, 8), 'YYYYMMDD')) INTO newest
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = parent::regclass AND c.relname ~ ('^' || parent || '_[0-9]{8}$');
    RETURN physio_add_day_partitions(parent, coalesce(least(newest + 1, today), today), today + days_ahead);
END
$$;

DO $$
DECLARE
    timescale boolean := false;
    boundary date := (now() AT TIME ZONE 'UTC')::date;
    stored boolean;
    newest timestamptz;
    t text;
BEGIN
    -- Nested: timescaledb_information exists only with the extension.
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        timescale := EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                             WHERE hypertable_schema = current_schema() AND hypertable_name = 'vitals');
    END IF;
    IF timescale THEN
        RETURN;
    END IF;
    stored := EXISTS (SELECT 1 FROM vitals) OR EXISTS (SELECT 1 FROM anomaly_scores);
    IF stored THEN
        -- One scan of each table, once: the stored rows must all fall before the first day partition.
        SELECT greatest((SELECT max(ts) FROM vitals), (SELECT max(ts) FROM anomaly_scores)) INTO newest;
        boundary := greatest(boundary, (newest AT TIME ZONE 'UTC')::date + 1);
    END IF;
    FOREACH t IN ARRAY ARRAY['vitals', 'anomaly_scores'] LOOP
        EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '_before');
        EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I', t || '_before', t || '_pkey', t || '_before_pkey');
        EXECUTE format('ALTER INDEX %I RENAME TO %I', t || '_ts', t || '_before_ts');
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE, PRIMARY KEY (case_id, ts))
                        PARTITION BY RANGE (ts)', t, t || '_before');
        -- 008's BRIN, now one per partition.
        EXECUTE format('CREATE INDEX %I ON %I USING brin (ts) WITH (autosummarize = on)', t || '_ts', t);
        IF t = 'anomaly_scores' THEN
            ALTER TABLE anomaly_scores ADD FOREIGN KEY (model_id) REFERENCES models (id);
        END IF;
        IF stored THEN
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)',
                           t, t || '_before', boundary::timestamp AT TIME ZONE 'UTC');
        ELSE
            EXECUTE format('DROP TABLE %I', t || '_before');
        END IF;
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', t || '_default', t);
        PERFORM physio_add_day_partitions(t, boundary, (now() AT TIME ZONE 'UTC')::date + 7);
    END LOOP;
END
$$;
