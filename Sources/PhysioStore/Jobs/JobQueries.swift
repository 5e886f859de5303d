import PhysioCore

/// A job as the admin API shows it.
public struct JobRecord: Sendable {
    public let id: Int64
    public let caseID: String
    public let from: Int64
    public let to: Int64
    public let samples: Int
    public let state: JobState
    public let attempts: Int
    public let maxAttempts: Int
    public let runAt: Int64
    public let lockedBy: String?
    public let lockedUntil: Int64?
    public let lastError: String?
    public let createdAt: Int64
}

public struct JobQueries: Sendable {
    public init() {}

    /// Jobs in `state`, oldest first, after id `afterID`.
    public func list(state: JobState, afterID: Int64?, limit: Int, on connection: DatabaseConnection) throws -> [JobRecord] {
        let result = try connection.query("""
            SELECT id, case_id, \(SQL.micros("ts_from")), \(SQL.micros("ts_to")), samples, state, attempts, max_attempts,
                   \(SQL.micros("run_at")), locked_by, \(SQL.micros("locked_until")), last_error, \(SQL.micros("created_at"))
            FROM inference_jobs WHERE state = $1 AND ($2::int8 IS NULL OR id > $2) ORDER BY id LIMIT $3
            """, [state, afterID, limit])
        return try result.rows.map { row in
            let (id, caseID, from, to, samples, state, attempts, maxAttempts) =
                try row.decode((Int64, String, Int64, Int64, Int, JobState, Int, Int).self)
            return JobRecord(id: id, caseID: caseID, from: from, to: to, samples: samples, state: state, attempts: attempts,
                             maxAttempts: maxAttempts, runAt: try row.decode(8), lockedBy: try row.decode(9),
                             lockedUntil: try row.decode(10), lastError: try row.decode(11), createdAt: try row.decode(12))
        }
    }

    public func state(of id: Int64, on connection: DatabaseConnection) throws -> JobState? {
        try connection.query("SELECT state FROM inference_jobs WHERE id = $1", [id]).single((JobState).self)
    }
}
