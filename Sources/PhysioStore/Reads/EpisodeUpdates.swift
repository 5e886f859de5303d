import PhysioCore
import PhysioPlatform

extension AnomalyQueries {
    /// Episodes of a case changed after `after` (µs), oldest change first, with their update time.
    public func episodesUpdated(caseID: String, after: Int64, limit: Int = 200,
                                on connection: DatabaseConnection) throws -> [(EpisodeRecord, Int64)] {
        let result = try connection.query("""
            SELECT \(Self.episodeColumns), (extract(epoch from updated_at) * 1000000)::int8 FROM anomaly_episodes
            WHERE case_id = $1 AND updated_at > $2::timestamptz ORDER BY updated_at LIMIT $3
            """, [caseID, Timestamp.format(after), String(limit)])
        return (0..<result.rowCount).map { (Self.episode(result, row: $0), result.int64($0, 9)!) }
    }
}
