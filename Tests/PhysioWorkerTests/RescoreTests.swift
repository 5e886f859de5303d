import PhysioCore
import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import PhysioWorker
import Testing

/// A stored instant that gains vitals after it was scored is scored again,
/// once, from its merged row: the merge queues a job for it in the same
/// transaction.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct RescoreTests {
    @Test func aRowThatGainsVitalsAfterItWasScoredIsScoredAgainOnce() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        let start: Int64 = 1_795_600_000
        var withoutSpO2 = TestModels.calmCase("rescore", start: start, seconds: 120)
        for row in 0..<withoutSpO2.count { withoutSpO2.set(.spo2, row: row, to: .nan) }
        try database.ingest([withoutSpO2])
        let pool = try database.startWorkers()
        defer { pool.stop() }
        #expect(try database.waitForEmptyQueue())
        #expect(waitUntil(seconds: 10) { pool.statistics.samples == 120 }, "\(pool.statistics)")

        // SpO2 84 % (under the 90 % rule) arrives later for ten scored instants.
        var late = SampleBatch(caseID: "rescore")
        for second in 60..<70 { late.set(.spo2, row: late.appendRow(timestamp: (start + Int64(second)) * 1_000_000), to: 84) }
        #expect(try database.ingest([late]) == [IngestCounts(accepted: 0, merged: 10, duplicates: 0)])
        #expect(try database.waitForEmptyQueue())
        #expect(waitUntil(seconds: 10) { pool.statistics.samples == 130 }, "the ten merged rows, and only they, scored again: \(pool.statistics)")
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE case_id = 'rescore'") == 120)
        #expect(try database.count("""
            SELECT count(*) FROM anomaly_scores WHERE case_id = 'rescore' AND 'spo2_lt_90' = ANY(rules)
            AND ts >= to_timestamp(\(start + 60)) AND ts < to_timestamp(\(start + 70))
            """) == 10)

        // The same values again change nothing and queue nothing.
        #expect(try database.ingest([late]) == [IngestCounts(accepted: 0, duplicates: 10)])
        #expect(try database.count("SELECT count(*) FROM inference_jobs") == 0)
        Clock.sleep(seconds: 0.5)
        #expect(pool.statistics.samples == 130)
    }
}
