import PhysioCore
import PhysioStore
import PhysioTestSupport
import PhysioWorker
import Testing
import PhysioPlatform

/// The worker pool on a TimescaleDB database (hypertables, continuous
/// aggregates): runs when TimescaleDB is installed, see docs/timescaledb.md.
@Suite(.enabled(if: Timescale.isEnabled, "\(Timescale.skipMessage)"))
struct TimescaleWorkerTests {
    @Test func everySampleIsScoredAndTheAggregatesAreLeftToTimescaleDB() throws {
        try Timescale.withDatabase { database in
            try TestModels.register(on: database)
            let series = TestModels.caseWithCrisis("ts-1", start: 1_795_600_000, seconds: 900, crisis: 500..<560)
            // Three commits, three jobs.
            for batch in series.chunks(of: 300) { try database.ingest([batch]) }
            let pool = try database.startWorkers(name: "w-tsdb")
            defer { pool.stop() }
            // An empty queue also means no job failed (dead letters stay queued):
            // a worker writing to the aggregates would fail on the views.
            #expect(try database.waitForEmptyQueue())

            #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE case_id = 'ts-1'") == 900)
            #expect(try database.count("SELECT count(*) FROM vitals v LEFT JOIN anomaly_scores s USING (case_id, ts) WHERE s.ts IS NULL") == 0)
            #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE anomalous AND ts >= to_timestamp(1795600500) AND ts < to_timestamp(1795600560)") == 60)
            #expect(try database.count("""
                SELECT count(*) FROM anomaly_episodes
                WHERE case_id = 'ts-1' AND ended_at >= to_timestamp(1795600500) AND started_at <= to_timestamp(1795600560)
                """) == 1)
            // Scores went into the hypertable's chunks.
            #expect(try database.count("SELECT count(*) FROM show_chunks('anomaly_scores')") >= 1)
            // Nothing materialised (background jobs are off in tests), yet the
            // minutes (05:46:40 to 06:01:39) are complete: real-time aggregation.
            #expect(try database.count("SELECT count(*) FROM vitals_1m WHERE case_id = 'ts-1'") == 16)
            #expect(try database.count("SELECT sum(samples) FROM vitals_1m WHERE case_id = 'ts-1'") == 900)
            #expect(try database.count("SELECT sum(samples) FROM vitals_1h WHERE case_id = 'ts-1'") == 900)
        }
    }

    /// A backfill below the continuous aggregate's watermark (an old case
    /// imported after a refresh): its rows stay out of `vitals_1m` until the
    /// next refresh, so the workers read its baseline from the raw rows and
    /// score it as `physio evaluate` does. Before: 28,663 of 78,852 rows of
    /// the third generator's cases differed, by up to 0.84.
    @Test func aBackfillBelowTheWatermarkScoresAsOffline() throws {
        try Timescale.withDatabase { database in
            try TestModels.register(on: database)
            let now = Clock.nowMicros() / 1_000_000
            try database.ingest([TestModels.calmCase("recent", start: now - 600, seconds: 60)])
            try database.connect().execute("CALL refresh_continuous_aggregate('vitals_1m', NULL, NULL)")
            var series = TestModels.calmCase("backfill", start: 1_795_800_000, seconds: 3000, seed: 9)
            for second in 2400..<3000 { series.set(.sbp, row: second, to: 120 - Float(second - 2400) * 0.1) }
            for batch in series.chunks(of: 300) { try database.ingest([batch]) }
            #expect(try database.count("SELECT count(*) FROM vitals_1m WHERE case_id = 'backfill'") == 0, "below the watermark")
            let pool = try database.startWorkers(name: "w-tsdb-backfill")
            defer { pool.stop() }
            #expect(try database.waitForEmptyQueue())
            let differing = try WorkerPoolTests.scoresBesideOffline(database, series).differing
            #expect(differing.isEmpty, "\(differing.count) rows differ, first at second \(differing.first ?? -1)")
        }
    }
}
