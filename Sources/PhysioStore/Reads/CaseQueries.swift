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
        case_id, (extract(epoch from first_ts) * 1000000)::int8, (extract(epoch from last_ts) * 1000000)::int8,
        samples, (extract(epoch from updated_at) * 1000000)::int8
        """

    /// Cases in id order after `cursor` (a case id), optionally only those
    /// with a sample at or after `activeSince`.
    public func list(after cursor: String?, activeSince: Int64?, limit: Int, on connection: DatabaseConnection) throws -> [CaseSummary] {
        let result = try connection.query(prepared: """
            SELECT \(Self.summaryColumns) FROM cases
            WHERE ($1::text IS NULL OR case_id > $1) AND ($2::timestamptz IS NULL OR last_ts >= $2)
            ORDER BY case_id LIMIT $3
            """, [cursor, activeSince.map { Timestamp.format($0) }, String(limit)])
        return (0..<result.rowCount).map { Self.summary(result, row: $0) }
    }

    public func summary(caseID: String, on connection: DatabaseConnection) throws -> CaseSummary? {
        let result = try connection.query(prepared: "SELECT \(Self.summaryColumns) FROM cases WHERE case_id = $1", [caseID])
        return result.rowCount == 1 ? Self.summary(result, row: 0) : nil
    }

    /// Samples stored for the case, nil for an unknown case. Only ingest
    /// adds to it, in the transaction that stores the samples.
    public func sampleCount(caseID: String, on connection: DatabaseConnection) throws -> Int64? {
        let result = try connection.query(prepared: "SELECT samples FROM cases WHERE case_id = $1", [caseID])
        return result.rowCount == 1 ? result.int64(0, 0) : nil
    }

    public func exists(caseID: String, on connection: DatabaseConnection) throws -> Bool {
        try connection.query(prepared: "SELECT 1 FROM cases WHERE case_id = $1", [caseID]).rowCount == 1
    }

    /// The most recent value of each vital within `lookbackSeconds` of the
    /// case's last sample (older is not "current"; and the bound keeps a
    /// vital the case never had from scanning the whole case).
    public func latestValues(caseID: String, lastSample: Int64, lookbackSeconds: Int = 900,
                             on connection: DatabaseConnection) throws -> [(vital: Vital, value: Float, at: Int64)] {
        let since = Timestamp.format(lastSample - Int64(lookbackSeconds) * 1_000_000)
        let result = try connection.query(prepared: Self.latestValuesSQL, [caseID, since])
        return (0..<result.rowCount).compactMap { row in
            guard let vital = Vital(rawValue: result.int(row, 0)!) else { return nil }
            return (vital, Float(result.double(row, 1)!), result.int64(row, 2)!)
        }
    }

    static let latestValuesSQL = Vital.allCases.map { vital in
        """
        (SELECT \(vital.rawValue), \(vital.name)::float8, (extract(epoch from ts) * 1000000)::int8 FROM vitals
         WHERE case_id = $1 AND ts >= $2::timestamptz AND \(vital.name) IS NOT NULL ORDER BY ts DESC LIMIT 1)
        """
    }.joined(separator: " UNION ALL ")

    public func latestScore(caseID: String, on connection: DatabaseConnection) throws -> (at: Int64, score: Double, anomalous: Bool, modelID: Int64)? {
        let result = try connection.query(prepared: """
            SELECT (extract(epoch from ts) * 1000000)::int8, score, anomalous, model_id FROM anomaly_scores
            WHERE case_id = $1 ORDER BY ts DESC LIMIT 1
            """, [caseID])
        guard result.rowCount == 1 else { return nil }
        return (result.int64(0, 0)!, result.double(0, 1)!, result.bool(0, 2)!, result.int64(0, 3)!)
    }

    /// Jobs of the case not done yet, and dead letters.
    public func jobCounts(caseID: String, on connection: DatabaseConnection) throws -> (pending: Int, failed: Int) {
        let result = try connection.query(prepared: """
            SELECT count(*) FILTER (WHERE state <> 'failed'), count(*) FILTER (WHERE state = 'failed')
            FROM inference_jobs WHERE case_id = $1
            """, [caseID])
        return (result.int(0, 0)!, result.int(0, 1)!)
    }

    static func summary(_ result: QueryResult, row: Int) -> CaseSummary {
        CaseSummary(caseID: result.string(row, 0)!, firstSample: result.int64(row, 1)!, lastSample: result.int64(row, 2)!,
                    samples: result.int64(row, 3)!, updatedAt: result.int64(row, 4)!)
    }
}
