/// The queue at a glance, for /metrics and the admin API.
public struct QueueStatistics: Sendable {
    public var available = 0
    public var running = 0
    public var failed = 0
    /// Age in seconds of the oldest job not yet done (0 when empty).
    public var oldestAgeSeconds = 0.0

    public init() {}

    public static func read(on connection: DatabaseConnection) throws -> QueueStatistics {
        let result = try connection.query("""
            SELECT state, count(*), coalesce(extract(epoch from now() - min(created_at)), 0)::float8
            FROM inference_jobs GROUP BY state
            """)
        var statistics = QueueStatistics()
        for (state, count, oldestAgeSeconds) in try result.decode((JobState, Int, Double).self) {
            switch state {
            case .available: statistics.available = count
            case .running: statistics.running = count
            case .failed: statistics.failed = count
            }
            if state != .failed { statistics.oldestAgeSeconds = max(statistics.oldestAgeSeconds, oldestAgeSeconds) }
        }
        return statistics
    }
}
