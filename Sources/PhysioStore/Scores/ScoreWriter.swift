import PhysioCore
import PhysioPlatform

/// One scored sample, as stored in `anomaly_scores`.
public struct SampleScore: Sendable {
    public let caseID: String
    public let timestamp: Int64
    public let score: Double
    public let anomalous: Bool
    public let rules: [String]
    /// When its job was queued: the start of detection latency.
    public let enqueuedAt: Int64

    public init(caseID: String, timestamp: Int64, score: Double, anomalous: Bool, rules: [String], enqueuedAt: Int64) {
        self.caseID = caseID
        self.timestamp = timestamp
        self.score = score
        self.anomalous = anomalous
        self.rules = rules
        self.enqueuedAt = enqueuedAt
    }
}

/// Upserts scores. A re-run job computes the same values and the row is
/// left alone (scored_at included), so running a job twice changes nothing.
public struct ScoreWriter: Sendable {
    public init() {}

    /// One statement for the scores of any number of cases, in key order
    /// (so concurrent writers lock rows in the same order).
    public func upsert(_ scores: [SampleScore], modelID: Int64, on connection: DatabaseConnection) throws {
        guard !scores.isEmpty else { return }
        let sorted = scores.sorted { ($0.caseID, $0.timestamp) < ($1.caseID, $1.timestamp) }
        try connection.query("""
            INSERT INTO anomaly_scores (case_id, ts, score, anomalous, rules, model_id, ingested_at, scored_at)
            SELECT t.case_id, t.ts, t.score, t.anomalous, t.rules::text[], $1, t.ingested_at, clock_timestamp()
            FROM unnest($2::text[], $3::timestamptz[], $4::real[], $5::bool[], $6::text[], $7::timestamptz[])
                AS t(case_id, ts, score, anomalous, rules, ingested_at)
            ON CONFLICT (case_id, ts) DO UPDATE
            SET score = excluded.score, anomalous = excluded.anomalous, rules = excluded.rules,
                model_id = excluded.model_id, scored_at = excluded.scored_at
            WHERE (anomaly_scores.score, anomaly_scores.anomalous, anomaly_scores.rules, anomaly_scores.model_id)
                  IS DISTINCT FROM (excluded.score, excluded.anomalous, excluded.rules, excluded.model_id)
            """, [String(modelID),
                  PostgresArray.literal(sorted.map(\.caseID)),
                  PostgresArray.literal(sorted.map { Timestamp.format($0.timestamp) }),
                  PostgresArray.literal(sorted.map { String(Float($0.score)) }),
                  PostgresArray.literal(sorted.map { $0.anomalous ? "t" : "f" }),
                  // Each element is itself an array literal, passed as text and cast per row.
                  PostgresArray.literal(sorted.map { PostgresArray.literal($0.rules) }, quoted: true),
                  PostgresArray.literal(sorted.map { Timestamp.format($0.enqueuedAt) })])
    }
}
