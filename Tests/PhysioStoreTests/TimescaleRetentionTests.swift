import PhysioCore
import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

/// `physio retention` on TimescaleDB (ChunkRetention), on a private
/// PostgreSQL that preloads the extension; skipped without TimescaleDB
/// (docs/timescaledb.md).
@Suite(.enabled(if: Timescale.isEnabled, "\(Timescale.skipMessage)"))
struct TimescaleRetentionTests {
    /// Case "old": two hours from a whole hour `daysAgo` days ago, one sample
    /// every 10 s (720 samples, 120 minutes, 2 hours); case "new": the last
    /// hour (360). Both scored; the aggregates refreshed as a policy would.
    func fill(_ database: TestDatabase, oldDaysAgo daysAgo: Int = 40) throws {
        let connection = try database.connect()
        try connection.execute("""
            INSERT INTO vitals (case_id, ts, hr, spo2)
            SELECT c, start + make_interval(secs => s), 60 + s % 37, 90 + s % 9
            FROM (VALUES ('old', date_trunc('hour', now() - interval '\(daysAgo) days'), 7190),
                         ('new', date_trunc('minute', now() - interval '1 hour'), 3590)) cases(c, start, last),
                 generate_series(0, last, 10) s;
            INSERT INTO models (name, threshold, feature_names, body) VALUES ('retention test', 0.5, '{}', '\\x00');
            INSERT INTO anomaly_scores (case_id, ts, score, anomalous, model_id, ingested_at, scored_at)
            SELECT case_id, ts, 0.1, false, (SELECT id FROM models), ts, ts FROM vitals;
            """)
        try refresh(database)
    }

    @Test func rawChunksGoAndEveryBucketOfThemStays() throws {
        try Timescale.withDatabase { database in
            try fill(database)
            let minutes = try buckets(database, "vitals_1m"), hours = try buckets(database, "vitals_1h")
            try #require(minutes.count == 120 && hours.count == 2)
            let new = try counts(database, "new")
            // A backfill past the raw period, not materialised yet (as before
            // a policy's next run): its buckets are made before its chunk goes.
            let backfill = Clock.nowMicros() / 1_000_000 - 35 * 86_400
            try database.ingest([TestModels.calmCase("backfill", start: backfill - backfill % 60, seconds: 600)])

            // Live ingest goes on beside the drop.
            let live = Locked<[IngestCounts]>([])
            let done = WaitGroup()
            done.add()
            startThread {
                defer { done.done() }
                for batch in 0..<20 {
                    let start = Clock.nowMicros() / 1_000_000 - 300 + Int64(batch * 10)
                    if let counts = try? database.ingest([TestModels.calmCase("live", start: start, seconds: 10)]) {
                        live.withLock { $0 += counts }
                    }
                }
            }
            // The old case's day (or two, across midnight) of both tables, and the backfill's.
            let old = try chunks(database, ["vitals", "anomaly_scores"], olderThan: "30 days")
            try #require(old >= 3)
            let removed = try Retention(raw: "30 days", aggregates: "5 years").purge(on: database.connect())
            #expect(done.wait(seconds: 60))

            #expect(removed == expected(rawChunks: old))
            #expect(try counts(database, "old") == [0, 0])
            #expect(try database.count("SELECT count(*) FROM show_chunks('vitals', older_than => now() - interval '30 days')") == 0)
            #expect(try database.count("SELECT count(*) FROM show_chunks('anomaly_scores', older_than => now() - interval '30 days')") == 0)
            #expect(try counts(database, "new") == new)
            #expect(live.value == Array(repeating: IngestCounts(accepted: 10, duplicates: 0), count: 20))

            // Every minute and hour of the old case, right after the drop and
            // after a full refresh (which a policy with no start offset does).
            #expect(try buckets(database, "vitals_1m") == minutes)
            #expect(try buckets(database, "vitals_1h") == hours)
            try refresh(database)
            #expect(try buckets(database, "vitals_1m") == minutes)
            #expect(try buckets(database, "vitals_1h") == hours)
            #expect(try buckets(database, "vitals_1m", case: "backfill").count == 10)
            #expect(try database.count("SELECT count(*) FROM vitals_1m WHERE case_id = 'live'") >= 3)

            // Nothing left to remove.
            #expect(try Retention(raw: "30 days", aggregates: "5 years").purge(on: database.connect()) == Retention.Removed())
        }
    }

    /// What the command guards against: TimescaleDB's own drop_chunks, then
    /// a refresh over the dropped range, empties the buckets.
    @Test func aPlainDropChunksThenARefreshEmptiesTheBuckets() throws {
        try Timescale.withDatabase { database in
            try fill(database)
            try database.connect().execute("SELECT drop_chunks('vitals', now() - interval '30 days')")
            #expect(try buckets(database, "vitals_1m").count == 120)
            try refresh(database)
            #expect(try buckets(database, "vitals_1m").isEmpty)
            #expect(try buckets(database, "vitals_1h").isEmpty)
        }
    }

    /// A sample past the raw period that arrives after its chunk went is
    /// stored; the next run refreshes before dropping it again, which
    /// recomputes its minute from the raw rows still there (itself alone)
    /// and its hour from the minutes, and later refreshes leave them so.
    @Test func aLateSampleInADroppedRangeRecomputesItsMinuteFromWhatIsLeft() throws {
        try Timescale.withDatabase { database in
            try fill(database)
            let retention = Retention(raw: "30 days", aggregates: nil)
            try retention.purge(on: database.connect())
            let minutes = try buckets(database, "vitals_1m"), hours = try buckets(database, "vitals_1h")

            let firstText = try database.scalar("SELECT extract(epoch FROM min(bucket))::int8 FROM vitals_1m WHERE case_id = 'old'")
            let first = try #require(firstText.flatMap { Int64($0) })
            var late = SampleBatch(caseID: "old")
            let row = late.appendRow(timestamp: (first + 10 * 60 + 5) * 1_000_000)
            late.set(.hr, row: row, to: 200)
            #expect(try database.ingest([late]) == [IngestCounts(accepted: 1, duplicates: 0)])
            #expect(try retention.purge(on: database.connect()) == expected(rawChunks: 1))
            try refresh(database)

            let after = try buckets(database, "vitals_1m")
            #expect(after.count == minutes.count)
            #expect(zip(after, minutes).filter { $0 != $1 }.count == 1)
            #expect(try database.scalar("""
                SELECT samples || ':' || hr_max FROM vitals_1m WHERE case_id = 'old' AND bucket = to_timestamp(\(first + 600))
                """) == "1:200")
            #expect(try database.scalar("""
                SELECT samples FROM vitals_1h WHERE case_id = 'old' AND bucket = to_timestamp(\(first))
                """) == "355")
            #expect(try buckets(database, "vitals_1h").dropFirst() == hours.dropFirst())

            let hoursAfter = try buckets(database, "vitals_1h")
            #expect(try retention.purge(on: database.connect()) == Retention.Removed())
            try refresh(database)
            #expect(try buckets(database, "vitals_1m") == after)
            #expect(try buckets(database, "vitals_1h") == hoursAfter)
        }
    }

    @Test func aggregatesGoAfterTheirOwnPeriod() throws {
        try Timescale.withDatabase { database in
            // 60 days back: the materialisations' 10-day chunks holding it end
            // before the 35-day cutoff whatever today's date.
            try fill(database, oldDaysAgo: 60)
            let newMinutes = try database.count("SELECT count(*) FROM vitals_1m WHERE case_id = 'new'")
            let old = try chunks(database, ["vitals_1m", "vitals_1h"], olderThan: "35 days")
            try #require(old >= 2)
            let removed = try Retention(raw: nil, aggregates: "35 days").purge(on: database.connect())
            #expect(removed == expected(aggregateChunks: old))
            try refresh(database)
            #expect(try buckets(database, "vitals_1m").isEmpty && buckets(database, "vitals_1h").isEmpty)
            #expect(try counts(database, "old") == [720, 720])
            #expect(try database.count("SELECT count(*) FROM vitals_1m WHERE case_id = 'new'") == newMinutes)
        }
    }

    /// `drop_chunks` locks `models` (the scores' foreign key) exclusively,
    /// which every score written checks: each try waits at most 400 ms for
    /// it, so a writer queued behind a try gets through within a second,
    /// and the drop goes once the holder is gone.
    @Test func theDropWaitsOutAHolderOfModelsAndWritersGetThroughMeanwhile() throws {
        try Timescale.withDatabase { database in
            try fill(database)
            let holder = try database.connect()
            try holder.execute("BEGIN; LOCK TABLE models IN ROW SHARE MODE")
            let done = WaitGroup()
            let purged = BackgroundPurge(database, signalling: done).removed
            Clock.sleep(seconds: 1.5)
            // While the purge retries, another writer takes the same lock.
            let writer = try database.connect()
            for _ in 0..<5 {
                try writer.execute("SET lock_timeout = '1s'; BEGIN; LOCK TABLE models IN ROW SHARE MODE; COMMIT")
                Clock.sleep(seconds: 0.1)
            }
            #expect(purged.value == nil)
            try holder.execute("COMMIT")
            #expect(done.wait(seconds: 60))
            #expect(purged.value?.rawChunks ?? 0 >= 2)
            #expect(try counts(database, "old") == [0, 0])
        }
    }

    /// TimescaleDB refuses a refresh whose range overlaps one running (a
    /// refresh policy's, every minute): retention waits it out and goes on.
    @Test func aRefreshRunningMeanwhileIsWaitedOut() throws {
        try Timescale.withDatabase { database in
            try fill(database)
            // A late sample gives the other refresh something to materialise,
            // and the lock on the materialisation keeps it running.
            var late = SampleBatch(caseID: "old")
            late.set(.hr, row: late.appendRow(timestamp: (Clock.nowMicros() / 1_000_000 - 40 * 86_400) * 1_000_000), to: 90)
            try database.ingest([late])
            let materialisation = try #require(try database.scalar("""
                SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)
                FROM timescaledb_information.continuous_aggregates WHERE view_name = 'vitals_1m'
                """))
            let blocker = try database.connect()
            try blocker.execute("BEGIN; LOCK TABLE \(materialisation) IN ACCESS EXCLUSIVE MODE")
            let done = WaitGroup()
            done.add()
            startThread {
                defer { done.done() }
                do {
                    try database.connect().execute("CALL refresh_continuous_aggregate('vitals_1m', NULL, NULL)")
                } catch {
                    Issue.record("the other refresh failed: \(error)")
                }
            }
            Clock.sleep(seconds: 1)
            let purged = BackgroundPurge(database, signalling: done).removed
            Clock.sleep(seconds: 3)
            #expect(purged.value == nil)
            try blocker.execute("COMMIT")
            #expect(done.wait(seconds: 60))
            #expect(purged.value?.rawChunks ?? 0 >= 2)
            #expect(try counts(database, "old") == [0, 0])
        }
    }

    // MARK: - helpers

    func expected(rawChunks: Int = 0, aggregateChunks: Int = 0) -> Retention.Removed {
        var removed = Retention.Removed()
        (removed.rawChunks, removed.aggregateChunks) = (rawChunks, aggregateChunks)
        return removed
    }

    /// Chunks of these hypertables (or aggregates) that end more than `age` ago.
    func chunks(_ database: TestDatabase, _ relations: [String], olderThan age: String) throws -> Int {
        try relations.reduce(0) {
            try $0 + database.count("SELECT count(*) FROM show_chunks($1::regclass, older_than => now() - $2::interval)", [$1, age])
        }
    }

    /// Raw samples and scores of a case.
    func counts(_ database: TestDatabase, _ caseID: String) throws -> [Int] {
        try ["vitals", "anomaly_scores"].map { try database.count("SELECT count(*) FROM \($0) WHERE case_id = $1", [caseID]) }
    }

    /// Every bucket of a case, every column, in order.
    func buckets(_ database: TestDatabase, _ view: String, case caseID: String = "old") throws -> [String] {
        try database.connect().query("SELECT \(view)::text FROM \(view) WHERE case_id = $1 ORDER BY bucket", [caseID])
            .decode((String).self)
    }

    /// Both aggregates over all time, minutes first (the hours are built from them).
    func refresh(_ database: TestDatabase) throws {
        let connection = try database.connect()
        for view in ["vitals_1m", "vitals_1h"] {
            try connection.execute("CALL refresh_continuous_aggregate('\(view)', NULL, NULL)")
        }
    }
}
