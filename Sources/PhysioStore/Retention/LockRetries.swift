import PhysioPlatform

/// Retention's steps take locks that ingest and the workers also take. A
/// step that waits for a lock makes everyone behind it wait too, so each
/// try waits only briefly (`lock_timeout`), and a try that times out lets
/// the others through before the next one. TimescaleDB refuses a refresh
/// that overlaps a running one with the same SQLSTATE, so it is retried
/// the same way, and so is a try PostgreSQL chose as a deadlock's victim
/// (its transaction rolled back: the workers' scores lock the same tables
/// in the other order).
struct LockRetries {
    var attempts: Int
    var pauseSeconds = 0.25

    /// Runs `step` (given the attempt's number, from 0) until it neither
    /// times out on a lock (SQLSTATE 55P03) nor loses a deadlock (40P01),
    /// at most `attempts` times.
    func run(_ what: String, _ step: (Int) throws -> Void) throws {
        var lastError: DatabaseError?
        for attempt in 0..<attempts {
            do {
                return try step(attempt)
            } catch let error as DatabaseError where ["55P03", "40P01"].contains(error.sqlState) {
                lastError = error
                Clock.sleep(seconds: pauseSeconds)
            }
        }
        throw DatabaseError(message: "gave up on \(what) after \(attempts) tries, each stopped by a lock another session held; "
                                + "the next run tries again: \(lastError.map(String.init(describing:)) ?? "")")
    }
}
