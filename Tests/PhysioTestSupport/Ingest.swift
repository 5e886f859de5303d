import PhysioCore
import PhysioStore
import PhysioPlatform

extension TestDatabase {
    /// Stores samples the way the API does (one commit, jobs queued).
    @discardableResult
    public func ingest(_ batches: [SampleBatch]) throws -> [IngestCounts] {
        try VitalsWriter().write(batches, on: connect())
    }

    /// Waits until no job is left (or fails after `seconds`).
    public func waitForEmptyQueue(seconds: Double = 30) throws -> Bool {
        let connection = try connect()
        return try waitUntil(seconds: seconds) { try connection.query("SELECT count(*) FROM inference_jobs").int(0, 0) == 0 }
    }
}
