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
        let deadline = Clock.monotonicNanos() + UInt64(seconds * 1e9)
        let connection = try connect()
        while Clock.monotonicNanos() < deadline {
            if try connection.query("SELECT count(*) FROM inference_jobs").int(0, 0) == 0 { return true }
            Clock.sleep(seconds: 0.02)
        }
        return false
    }
}
