import PhysioCore
import PhysioPlatform

/// An anomaly episode as the API shows it.
public struct EpisodeRecord: Sendable {
    public let id: Int64
    public let caseID: String
    public let start: Int64
    public let end: Int64
    public let peakTime: Int64
    public let peakScore: Double
    /// JSON array as stored: [{"vital":"sbp","weight":0.7},…]
    public let driversJSON: String
    public let rules: [String]
    public let modelID: Int64
}

public struct ScoreRecord: Sendable {
    public let timestamp: Int64
    public let score: Double
    public let anomalous: Bool
    public let rules: [String]
    public let modelID: Int64
}

public struct AnomalyQueries: Sendable {
    public init() {}

    static let episodeColumns = """
        id, case_id, (extract(epoch from started_at) * 1000000)::int8, (extract(epoch from ended_at) * 1000000)::int8,
        (extract(epoch from peak_at) * 1000000)::int8, peak_score, drivers::text, array_to_string(rules, ','), model_id
        """

    /// Episodes overlapping [from, to] with a peak of at least `minScore`, by start.
    public func episodes(caseID: String, from: Int64?, to: Int64?, minScore: Double?,
                         on connection: DatabaseConnection) throws -> [EpisodeRecord] {
        let result = try connection.query(prepared: """
            SELECT \(Self.episodeColumns) FROM anomaly_episodes
            WHERE case_id = $1 AND ($2::timestamptz IS NULL OR ended_at >= $2) AND ($3::timestamptz IS NULL OR started_at <= $3)
              AND ($4::real IS NULL OR peak_score >= $4)
            ORDER BY started_at
            """, [caseID, from.map { Timestamp.format($0) }, to.map { Timestamp.format($0) }, Self.real(minScore)])
        return (0..<result.rowCount).map { Self.episode(result, row: $0) }
    }

    /// The case's latest episode if it is still open: it ended no more than
    /// `gapSeconds` before the case's latest scored sample.
    public func openEpisode(caseID: String, gapSeconds: Double, on connection: DatabaseConnection) throws -> EpisodeRecord? {
        let result = try connection.query(prepared: """
            SELECT \(Self.episodeColumns) FROM anomaly_episodes e
            WHERE case_id = $1
              AND ended_at >= (SELECT max(ts) FROM anomaly_scores WHERE case_id = $1) - make_interval(secs => $2::float8)
            ORDER BY started_at DESC LIMIT 1
            """, [caseID, String(gapSeconds)])
        return result.rowCount == 1 ? Self.episode(result, row: 0) : nil
    }

    /// Per-sample scores in [from, to] of at least `minScore`, at most `limit` (+1 to tell there are more).
    public func scores(caseID: String, from: Int64?, to: Int64?, minScore: Double?, limit: Int,
                       on connection: DatabaseConnection) throws -> [ScoreRecord] {
        let result = try connection.query(prepared: """
            SELECT (extract(epoch from ts) * 1000000)::int8, score, anomalous, array_to_string(rules, ','), model_id
            FROM anomaly_scores
            WHERE case_id = $1 AND ($2::timestamptz IS NULL OR ts >= $2) AND ($3::timestamptz IS NULL OR ts <= $3)
              AND ($4::real IS NULL OR score >= $4)
            ORDER BY ts LIMIT $5
            """, [caseID, from.map { Timestamp.format($0) }, to.map { Timestamp.format($0) }, Self.real(minScore),
                  String(limit)])
        return (0..<result.rowCount).map { row in
            ScoreRecord(timestamp: result.int64(row, 0)!, score: Double(result.float(row, 1)!), anomalous: result.bool(row, 2)!,
                        rules: Self.list(result.string(row, 3)!), modelID: result.int64(row, 4)!)
        }
    }

    static func episode(_ result: QueryResult, row: Int) -> EpisodeRecord {
        EpisodeRecord(id: result.int64(row, 0)!, caseID: result.string(row, 1)!, start: result.int64(row, 2)!,
                      end: result.int64(row, 3)!, peakTime: result.int64(row, 4)!, peakScore: Double(result.float(row, 5)!),
                      driversJSON: result.string(row, 6)!, rules: list(result.string(row, 7)!), modelID: result.int64(row, 8)!)
    }

    static func list(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }

    /// A score bound as the `real` scores are stored: compared at their
    /// precision, and a bound too small for a real (1e-300) is 0, not an
    /// underflow error from PostgreSQL.
    static func real(_ value: Double?) -> String? { value.map { String(Float($0)) } }
}
