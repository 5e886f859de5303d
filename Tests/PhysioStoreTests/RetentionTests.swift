import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing
import PhysioPlatform

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct RetentionTests {
    /// An hour of one case 40 days ago and of another in the last hour, one
    /// sample every 10 s, scored, with their minute and hour aggregates.
    func fill(_ database: TestDatabase) throws {
        try database.connect().execute("""
            INSERT INTO vitals (case_id, ts, hr)
            SELECT c, start + make_interval(secs => s), 70
            FROM (VALUES ('old', now() - interval '40 days'), ('new', now() - interval '1 hour')) cases(c, start),
                 generate_series(0, 3590, 10) s;
            INSERT INTO models (name, threshold, feature_names, body) VALUES ('retention test', 0.5, '{}', '\\x00');
            INSERT INTO anomaly_scores (case_id, ts, score, anomalous, model_id, ingested_at, scored_at)
            SELECT case_id, ts, 0.1, false, (SELECT id FROM models), ts, ts FROM vitals;
            INSERT INTO vitals_1m (case_id, bucket, samples, hr_sum, hr_count, hr_min, hr_max)
            SELECT case_id, date_trunc('minute', ts), count(*), sum(hr), count(hr), min(hr), max(hr) FROM vitals GROUP BY 1, 2;
            INSERT INTO vitals_1h (case_id, bucket, samples, hr_sum, hr_count, hr_min, hr_max)
            SELECT case_id, date_trunc('hour', bucket), sum(samples), sum(hr_sum), sum(hr_count), min(hr_min), max(hr_max)
            FROM vitals_1m GROUP BY 1, 2;
            """)
    }

    func counts(_ database: TestDatabase, _ caseID: String) throws -> [Int] {
        try ["vitals", "anomaly_scores", "vitals_1m", "vitals_1h"].map {
            try database.count("SELECT count(*) FROM \($0) WHERE case_id = $1", [caseID])
        }
    }

    @Test func rawDataGoesAndItsAggregatesStay() throws {
        let database = try TestDatabase.create()
        try fill(database)
        let aggregatesBefore = try database.scalar("SELECT string_agg(bucket || ':' || samples || ':' || hr_sum, ',' ORDER BY bucket) FROM vitals_1m WHERE case_id = 'old'")
        let new = try counts(database, "new")

        var retention = Retention(raw: "30 days", aggregates: "5 years")
        retention.batchRows = 100  // 360 rows per table: four batches each
        let removed = try retention.purge(on: database.connect())

        #expect(removed.vitals == 360 && removed.scores == 360 && removed.minutes == 0 && removed.hours == 0)
        let old = try counts(database, "old")
        #expect(old[0] == 0 && old[1] == 0)
        #expect(old[2] >= 60 && old[3] >= 1, "the old case's minutes and hours survive its samples: \(old)")
        #expect(try database.scalar("SELECT string_agg(bucket || ':' || samples || ':' || hr_sum, ',' ORDER BY bucket) FROM vitals_1m WHERE case_id = 'old'") == aggregatesBefore)
        #expect(try counts(database, "new") == new)
        // Nothing left to remove: a second run is a no-op.
        #expect(try retention.purge(on: database.connect()) == Retention.Removed())
    }

    /// The old case's days as day partitions (a new database has none before
    /// today, so its rows wait in the default partition until then).
    func partitionOldDays(_ database: TestDatabase) throws {
        try database.connect().execute("""
            SELECT physio_add_day_partitions(t, (now() AT TIME ZONE 'UTC')::date - 41, (now() AT TIME ZONE 'UTC')::date - 39)
            FROM unnest(ARRAY['vitals', 'anomaly_scores']) t
            """)
    }

    @Test func wholeDaysGoAsPartitionsAndTheirAggregatesStay() throws {
        let database = try TestDatabase.create()
        try fill(database)
        try partitionOldDays(database)
        // The new case's last hour reaches into yesterday before 01:00 UTC, a day a new database has no partition for.
        #expect(try database.count("SELECT count(*) FROM vitals_default WHERE case_id = 'old'") == 0)
        let aggregatesBefore = try database.scalar("SELECT string_agg(bucket || ':' || samples || ':' || hr_sum, ',' ORDER BY bucket) FROM vitals_1m WHERE case_id = 'old'")
        let new = try counts(database, "new")

        let removed = try Retention(raw: "30 days", aggregates: "5 years").purge(on: database.connect())

        #expect(removed.days == 6 && removed.vitals == 0 && removed.scores == 0, "\(removed)")
        #expect(try counts(database, "old")[0...1] == [0, 0])
        #expect(try database.count("SELECT count(*) FROM pg_class WHERE relname ~ '^(vitals|anomaly_scores)_[0-9]{8}$' AND to_date(right(relname, 8), 'YYYYMMDD') < now()::date - 30") == 0)
        #expect(try database.scalar("SELECT string_agg(bucket || ':' || samples || ':' || hr_sum, ',' ORDER BY bucket) FROM vitals_1m WHERE case_id = 'old'") == aggregatesBefore)
        #expect(try counts(database, "new") == new)
    }

    /// Dropping a partition needs its parent to itself for a moment. While a
    /// long reader holds the table, the drop waits a short time per try, so
    /// inserts are never stuck behind it until the reader is done.
    @Test func ingestGoesOnWhileADayWaitsForItsLock() throws {
        let database = try TestDatabase.create()
        try fill(database)
        try partitionOldDays(database)
        let reader = try database.connect()
        try reader.execute("BEGIN; SELECT count(*) FROM vitals")

        let done = WaitGroup()
        let purge = BackgroundPurge(database, signalling: done)
        let writer = try database.connect()
        var slowest: UInt64 = 0
        for i in 0..<30 {
            let start = Clock.monotonicNanos()
            try writer.execute("INSERT INTO vitals (case_id, ts, hr) VALUES ('live', now() + make_interval(secs => \(i)), 70)")
            slowest = max(slowest, Clock.monotonicNanos() - start)
            Clock.sleep(seconds: 0.1)
        }
        #expect(purge.removed.value == nil, "the drop waits for the reader")
        try reader.execute("COMMIT")
        #expect(done.wait(seconds: 60))
        #expect(purge.removed.value?.days == 6, "\(purge.failure.value ?? "")")
        #expect(Double(slowest) / 1e9 < 1.0, "an insert waited \(Double(slowest) / 1e9) s behind the drop")
        #expect(try database.count("SELECT count(*) FROM vitals WHERE case_id = 'live'") == 30)
    }

    /// pg_locks lists every database's locks, and the test databases are
    /// clones of one template, so their tables share OIDs: count ours only.
    static let thisDatabase = "(SELECT oid FROM pg_database WHERE datname = current_database())"

    /// An old day held by another session (autovacuum holds a freshly loaded
    /// day for minutes) is waited for without holding the table: inserts,
    /// which take the table's lock, never queue behind the drop meanwhile.
    @Test func aDayHeldByAnotherSessionIsWaitedForWithoutLockingTheTable() throws {
        let database = try TestDatabase.create()
        try fill(database)
        try partitionOldDays(database)
        let holder = try database.connect()
        let oldest = try DayPartitions().expired("vitals", before: Clock.nowMicros(), on: holder)[0]
        try holder.execute("BEGIN; LOCK TABLE \(oldest) IN SHARE UPDATE EXCLUSIVE MODE")

        let done = WaitGroup()
        let purge = BackgroundPurge(database, signalling: done)
        let observer = try database.connect()
        var tableLocks = 0, waitsForTheDay = 0
        for _ in 0..<25 {
            Clock.sleep(seconds: 0.1)
            tableLocks += try observer.query("""
                SELECT count(*) FROM pg_locks WHERE relation = 'vitals'::regclass AND mode = 'AccessExclusiveLock'
                  AND database = \(Self.thisDatabase)
                """).scalar(Int.self)
            waitsForTheDay += try observer.query("""
                SELECT count(*) FROM pg_locks WHERE relation = $1::regclass AND mode = 'AccessExclusiveLock' AND NOT granted
                  AND database = \(Self.thisDatabase)
                """, [oldest]).scalar(Int.self)
        }
        #expect(tableLocks == 0, "the drop held or awaited the table's lock while the day was held")
        #expect(waitsForTheDay > 0, "the drop waited for the day")
        try holder.execute("COMMIT")
        #expect(done.wait(seconds: 60))
        #expect(purge.removed.value?.days == 6, "\(purge.failure.value ?? "")")
    }

    @Test func aggregatesGoAfterTheirOwnPeriod() throws {
        let database = try TestDatabase.create()
        try fill(database)
        let new = try counts(database, "new")
        let removed = try Retention(raw: nil, aggregates: "35 days").purge(on: database.connect())
        #expect(removed.vitals == 0 && removed.minutes >= 60 && removed.hours >= 1)
        #expect(try counts(database, "old") == [360, 360, 0, 0])
        #expect(try counts(database, "new") == new)
    }

    @Test func periodsThatAreNotPositiveIntervalsAreRefused() throws {
        let database = try TestDatabase.create()
        for period in ["thirty days", "0 days", "-1 day"] {
            #expect(throws: DatabaseError.self) { try Retention(raw: period, aggregates: nil).purge(on: database.connect()) }
        }
        #expect(try database.count("SELECT count(*) FROM vitals") == 0)
    }
}
