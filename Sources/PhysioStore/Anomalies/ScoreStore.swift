import PhysioCore
import PhysioPlatform

/// One scored sample, as stored in `anomaly_scores`.
public struct SampleScore: Sendable {
    public let caseID: String
    public let timestamp: Int64
    public let score: Double
    public let anomalous: Bool
    /// What raised the alarm; nil when the sample raises none.
    public let source: AlarmSource?
    public let rules: [String]
    /// When its job was queued: the start of detection latency.
    public let enqueuedAt: Int64

    public init(caseID: String, timestamp: Int64, score: Double, source: AlarmSource?, rules: [String], enqueuedAt: Int64) {
        self.caseID = caseID
        self.timestamp = timestamp
        self.score = score
        self.anomalous = source != nil
        self.source = source
        self.rules = rules
        self.enqueuedAt = enqueuedAt
    }
}

/// A stored score as the API shows it.
public struct ScoreRecord: Sendable {
    public let timestamp: Int64
    public let score: Double
    public let anomalous: Bool
    /// What raised the alarm (nil when none).
    public let source: AlarmSource?
    public let rules: [String]
    public let modelID: Int64
}

/// Every statement on `anomaly_scores`. Upserts: a re-run job computes the
/// same values and the row is left alone (scored_at included), so running a
/// job twice changes nothing.
public struct ScoreStore: Sendable {
    public init() {}

    /// One statement for the scores of any number of cases, in key order
    /// (so concurrent writers lock rows in the same order).
    public func upsert(_ scores: [SampleScore], modelID: Int64, on connection: DatabaseConnection) throws {
        guard !scores.isEmpty else { return }
        let sorted = scores.sorted { ($0.caseID, $0.timestamp) < ($1.caseID, $1.timestamp) }
        try connection.query("""
            INSERT INTO anomaly_scores (case_id, ts, score, anomalous, source, rules, model_id, ingested_at, scored_at)
            SELECT t.case_id, t.ts, t.score, t.source IS NOT NULL, t.source, t.rules::text[], $1, t.ingested_at, clock_timestamp()
            FROM unnest($2::text[], $3::timestamptz[], $4::real[], $5::text[], $6::text[], $7::timestamptz[])
                AS t(case_id, ts, score, source, rules, ingested_at)
            ON CONFLICT (case_id, ts) DO UPDATE
            SET score = excluded.score, anomalous = excluded.anomalous, source = excluded.source, rules = excluded.rules,
                model_id = excluded.model_id, scored_at = excluded.scored_at
            WHERE (anomaly_scores.score, anomaly_scores.source, anomaly_scores.rules, anomaly_scores.model_id)
                  IS DISTINCT FROM (excluded.score, excluded.source, excluded.rules, excluded.model_id)
            """, [modelID,
                  PostgresArray.literal(sorted.map(\.caseID)),
                  PostgresArray.times(sorted.map(\.timestamp)),
                  PostgresArray.literal(sorted.map { String(Float($0.score)) }),
                  PostgresArray.literal(sorted.map { $0.source?.rawValue ?? "NULL" }),
                  // Each element is itself an array literal, passed as text and cast per row.
                  PostgresArray.literal(sorted.map { PostgresArray.literal($0.rules) }, quoted: true),
                  PostgresArray.times(sorted.map(\.enqueuedAt))])
    }

    /// Per-sample scores in [from, to] of at least `minScore`, at most `limit` (+1 to tell there are more).
    public func list(caseID: CaseID, from: Int64?, to: Int64?, minScore: Double?, limit: Int,
                     on connection: DatabaseConnection) throws -> [ScoreRecord] {
        let result = try connection.query(prepared: """
            SELECT \(SQL.micros("ts")), score, anomalous, array_to_string(rules, ','), model_id, source
            FROM anomaly_scores
            WHERE case_id = $1 AND ($2::timestamptz IS NULL OR ts >= $2) AND ($3::timestamptz IS NULL OR ts <= $3)
              AND ($4::real IS NULL OR score >= $4)
            ORDER BY ts LIMIT $5
            """, [caseID, SQLTime.optional(from), SQLTime.optional(to), SQLReal.optional(minScore), limit])
        return try result.decode((Int64, Float, Bool, String, Int64, String?).self).map { timestamp, score, anomalous, rules, modelID, source in
            ScoreRecord(timestamp: timestamp, score: Double(score), anomalous: anomalous, source: source.flatMap(AlarmSource.init(rawValue:)),
                        rules: EpisodeStore.list(rules), modelID: modelID)
        }
    }

    /// The case's newest score, if any.
    public func latest(caseID: CaseID, on connection: DatabaseConnection) throws -> (at: Int64, score: Double, anomalous: Bool, modelID: Int64)? {
        try connection.query(prepared: """
            SELECT \(SQL.micros("ts")), score, anomalous, model_id FROM anomaly_scores
            WHERE case_id = $1 ORDER BY ts DESC LIMIT 1
            """, [caseID]).single((Int64, Double, Bool, Int64).self)
    }

    /// Raises the alarm of samples already stored, with what raised it now:
    /// the safety floor finding their breach sustained after they were
    /// scored (`rule`), or the alarm policy reading an earlier job's scores
    /// that came after theirs (`model`: persistence and hold). The source
    /// becomes the union with the stored one; scores stand, and no alarm is
    /// ever lowered.
    public func raiseAlarms(_ samples: [(caseID: String, timestamp: Int64, source: AlarmSource)], on connection: DatabaseConnection) throws {
        guard !samples.isEmpty else { return }
        let sorted = samples.sorted { ($0.caseID, $0.timestamp) < ($1.caseID, $1.timestamp) }
        try connection.query("""
            UPDATE anomaly_scores s
            SET anomalous = true, source = CASE WHEN s.source IS NULL OR s.source = t.source THEN t.source ELSE 'both' END
            FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS t(case_id, ts, source)
            WHERE s.case_id = t.case_id AND s.ts = t.ts AND s.source IS DISTINCT FROM 'both' AND s.source IS DISTINCT FROM t.source
            """, [PostgresArray.literal(sorted.map(\.caseID)), PostgresArray.times(sorted.map(\.timestamp)),
                  PostgresArray.literal(sorted.map(\.source.rawValue))])
    }

    /// Stored scores of each case within its range, ascending by time: what
    /// the alarm policy reads of the minutes before a job's first sample.
    public func history(_ ranges: [CaseRange], on connection: DatabaseConnection) throws -> [String: [(time: Int64, score: Double)]] {
        guard !ranges.isEmpty else { return [:] }
        let result = try connection.query("""
            SELECT r.case_id, \(SQL.micros("s.ts")), s.score
            FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS r(case_id, lo, hi)
            CROSS JOIN LATERAL (SELECT ts, score FROM anomaly_scores s
                                WHERE s.case_id = r.case_id AND s.ts >= r.lo AND s.ts <= r.hi OFFSET 0) s
            ORDER BY r.case_id, s.ts
            """, CaseRange.parameters(ranges))
        var history: [String: [(time: Int64, score: Double)]] = [:]
        for (caseID, time, score) in try result.decode((String, Int64, Float).self) {
            history[caseID, default: []].append((time, Double(score)))
        }
        return history
    }
}
