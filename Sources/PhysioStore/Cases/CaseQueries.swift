import PhysioCore
import PhysioPlatform

public struct CaseSummary: Sendable {
    public let caseID: String
    public let firstSample: Int64
    public let lastSample: Int64
    public let samples: Int64
    public let updatedAt: Int64
}

/// Reads of the case registry and a case's current state.
public struct CaseQueries: Sendable {
    public init() {}

    static let summaryColumns = """
        case_id, \(SQL.micros("first_ts")), \(SQL.micros("last_ts")), samples, \(SQL.micros("updated_at"))
        """

    /// Cases in id order after `cursor` (a case id), optionally only those
    /// with a sample at or after `activeSince`.
    public func list(after cursor: String?, activeSince: Int64?, limit: Int, on connection: DatabaseConnection) throws -> [CaseSummary] {
        let result = try connection.query(prepared: """
            SELECT \(Self.summaryColumns) FROM cases
            WHERE ($1::text IS NULL OR case_id > $1) AND ($2::timestamptz IS NULL OR last_ts >= $2)
            ORDER BY case_id LIMIT $3
            """, [cursor, SQLTime.optional(activeSince), limit])
        return try result.rows.map(Self.summary)
    }

    public func summary(caseID: CaseID, on connection: DatabaseConnection) throws -> CaseSummary? {
        let result = try connection.query(prepared: "SELECT \(Self.summaryColumns) FROM cases WHERE case_id = $1", [caseID])
        return try result.rows.first.map(Self.summary)
    }

    /// A number that grows whenever the case's stored vitals change (its
    /// samples plus the stored instants that gained vitals), nil for an
    /// unknown case. Only ingest raises it, in the transaction that stores.
    public func revision(caseID: CaseID, on connection: DatabaseConnection) throws -> Int64? {
        try connection.query(prepared: "SELECT samples + merged FROM cases WHERE case_id = $1", [caseID]).single((Int64).self)
    }

    /// The first sample ever stored for the case, or for any case when nil
    /// (kept in `cases`, so it outlives the samples retention removes).
    public func firstSample(caseID: CaseID?, on connection: DatabaseConnection) throws -> Int64? {
        if let caseID {
            return try connection.query(prepared: "SELECT \(SQL.micros("first_ts")) FROM cases WHERE case_id = $1", [caseID])
                .single((Int64).self)
        }
        return try connection.query(prepared: "SELECT \(SQL.micros("min(first_ts)")) FROM cases").single((Int64?).self) ?? nil
    }

    public func exists(caseID: CaseID, on connection: DatabaseConnection) throws -> Bool {
        try connection.query(prepared: "SELECT 1 FROM cases WHERE case_id = $1", [caseID]).rowCount == 1
    }

    /// The most recent value of each vital within `lookbackSeconds` of the
    /// case's last sample (older is not "current"; and the bound keeps a
    /// vital the case never had from scanning the whole case).
    public func latestValues(caseID: CaseID, lastSample: Int64, lookbackSeconds: Int = 900,
                             on connection: DatabaseConnection) throws -> [(vital: Vital, value: Float, at: Int64)] {
        let since = SQLTime(lastSample - Int64(lookbackSeconds) * 1_000_000)
        let result = try connection.query(prepared: Self.latestValuesSQL, [caseID, since])
        return try result.decode((Int, Double, Int64).self).compactMap { index, value, at in
            Vital(rawValue: index).map { ($0, Float(value), at) }
        }
    }

    static let latestValuesSQL = Vital.allCases.map { vital in
        """
        (SELECT \(vital.rawValue), \(vital.name)::float8, \(SQL.micros("ts")) FROM vitals
         WHERE case_id = $1 AND ts >= $2::timestamptz AND \(vital.name) IS NOT NULL ORDER BY ts DESC LIMIT 1)
        """
    }.joined(separator: " UNION ALL ")

    /// Jobs of the case not done yet, and dead letters.
    public func jobCounts(caseID: CaseID, on connection: DatabaseConnection) throws -> (pending: Int, failed: Int) {
        let result = try connection.query(prepared: """
            SELECT count(*) FILTER (WHERE state <> \(JobState.failed.literal)), count(*) FILTER (WHERE state = \(JobState.failed.literal))
            FROM inference_jobs WHERE case_id = $1
            """, [caseID])
        let (pending, failed) = try result.single((Int, Int).self) ?? (0, 0)
        return (pending, failed)
    }

    static func summary(_ row: Row) throws -> CaseSummary {
        let (caseID, firstSample, lastSample, samples, updatedAt) = try row.decode((String, Int64, Int64, Int64, Int64).self)
        return CaseSummary(caseID: caseID, firstSample: firstSample, lastSample: lastSample, samples: samples, updatedAt: updatedAt)
    }
}
