import PhysioCore

/// When a case last changed, per kind of row: where a live stream starts.
public struct LatestChanges: Sendable, Equatable {
    /// The newest sample time, score time and episode update (µs); 0 when there is none.
    public let samples: Int64
    public let scores: Int64
    public let episodes: Int64
}

extension CaseQueries {
    public func latestChanges(caseID: CaseID, on connection: DatabaseConnection) throws -> LatestChanges {
        let result = try connection.query("""
            SELECT coalesce((SELECT \(SQL.micros("max(ts)")) FROM vitals WHERE case_id = $1), 0),
                   coalesce((SELECT \(SQL.micros("max(ts)")) FROM anomaly_scores WHERE case_id = $1), 0),
                   coalesce((SELECT \(SQL.micros("max(updated_at)")) FROM anomaly_episodes WHERE case_id = $1), 0)
            """, [caseID])
        guard let (samples, scores, episodes) = try result.single((Int64, Int64, Int64).self) else {
            throw DatabaseError(message: "no row from the latest-changes query")
        }
        return LatestChanges(samples: samples, scores: scores, episodes: episodes)
    }
}
