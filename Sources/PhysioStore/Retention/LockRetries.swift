import PhysioPlatform

/// Retention's steps take locks that ingest and the workers also take. A
/// step that waits for a lock makes everyone behind it wait too, so each
/// try waits only briefly (`lock_timeout`), and a try that times out lets
/// the others through before the next one. TimescaleDB refuses a refresh
/// that overlaps a running one with the same SQLSTATE, so it is retried
/// the same way.
struct LockRetries {
    var attempts: Int
    var pauseSeconds = 0.25

    /// Runs `step` (given the attempt's number, from 0) until it does not
    /// time out on a lock (SQLSTATE 55P03), at most `attempts` times.
    func run(_ what: String, _ step: (Int) throws -> Void) throws {
        var lastError: DatabaseError?
        for attempt in 0..<attempts {
            do {
                return try step(attempt)
            } catch let error as DatabaseError where error.sqlState == "55P03" {
                lastError = error
                Clock.sleep(seconds: pauseSeconds)
            }
        }
        throw DatabaseError(message: "gave up on \(what) after \(attempts) tries, each stopped by a lock another session held; "
                                + "the next run tries again: \(lastError.map(String.init(describing:)) ?? "")")
    }
}
