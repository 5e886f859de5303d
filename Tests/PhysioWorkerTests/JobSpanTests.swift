import PhysioCore
import PhysioStore
import PhysioTestSupport
import PhysioWorker
import Testing
import PhysioPlatform

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct JobSpanTests {
    /// A worker holding a case's first and third minutes scores those, not
    /// the minute between them: that one is another worker's job.
    @Test func aWorkerScoresOnlyTheSamplesOfItsOwnJobs() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        let start: Int64 = 1_795_600_000
        // The middle minute first, so that it is the oldest job and another worker takes it.
        try database.ingest([TestModels.calmCase("gap", start: start + 60, seconds: 60, seed: 2)])
        let other = JobQueue(workerID: "other")
        let held = try other.claim(limit: 1, on: database.connect())
        try #require(held.count == 1)
        try database.ingest([TestModels.calmCase("gap", start: start, seconds: 60, seed: 1)])
        try database.ingest([TestModels.calmCase("gap", start: start + 120, seconds: 60, seed: 3)])

        let pool = try database.startWorkers(name: "w-span", workers: 1)
        defer { pool.stop() }
        #expect(try waitUntil(seconds: 30) { try database.count("SELECT count(*) FROM inference_jobs") <= 1 })
        #expect(try database.count("SELECT count(*) FROM inference_jobs") == 1)
        #expect(pool.statistics.jobs == 2)
        #expect(try database.count("SELECT count(*) FROM anomaly_scores") == 120)
        #expect(try database.count("""
            SELECT count(*) FROM anomaly_scores WHERE ts >= to_timestamp(\(start + 60)) AND ts < to_timestamp(\(start + 120))
            """) == 0, "the held minute is left to its worker")

        // Given back, it is done too, and every sample has its score.
        try other.release(held.map(\.id), on: database.connect())
        #expect(try database.waitForEmptyQueue())
        #expect(try database.count("SELECT count(*) FROM anomaly_scores") == 180)
        #expect(pool.statistics.samples == 180, "each sample scored once")
    }
}
