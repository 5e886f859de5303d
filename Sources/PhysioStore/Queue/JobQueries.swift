import PhysioCore

/// A job as the admin API shows it.
public struct JobRecord: Sendable {
    public let id: Int64
    public let caseID: String
    public let from: Int64
    public let to: Int64
    public let samples: Int
    public let state: String
    public let attempts: Int
    public let maxAttempts: Int
    public let runAt: Int64
    public let lockedBy: String?
    public let lockedUntil: Int64?
    public let lastError: String?
    public let createdAt: Int64
}

public struct JobQueries: Sendable {
    public static let states = ["available", "running", "failed"]

    public init() {}

    /// Jobs in `state`, oldest first, after id `afterID`.
    public func list(state: String, afterID: Int64?, limit: Int, on connection: DatabaseConnection) throws -> [JobRecord] {
        let result = try connection.query("""
            SELECT id, case_id, (extract(epoch from ts_from) * 1000000)::int8, (extract(epoch from ts_to) * 1000000)::int8,
                   samples, state, attempts, max_attempts, (extract(epoch from run_at) * 1000000)::int8, locked_by,
                   (extract(epoch from locked_until) * 1000000)::int8, last_error, (extract(epoch from created_at) * 1000000)::int8
            FROM inference_jobs WHERE state = $1 AND ($2::int8 IS NULL OR id > $2) ORDER BY id LIMIT $3
            """, [state, afterID.map(String.init), String(limit)])
        return (0..<result.rowCount).map { row in
            JobRecord(id: result.int64(row, 0)!, caseID: result.string(row, 1)!, from: result.int64(row, 2)!,
                      to: result.int64(row, 3)!, samples: result.int(row, 4)!, state: result.string(row, 5)!,
                      attempts: result.int(row, 6)!, maxAttempts: result.int(row, 7)!, runAt: result.int64(row, 8)!,
                      lockedBy: result.string(row, 9), lockedUntil: result.int64(row, 10), lastError: result.string(row, 11),
                      createdAt: result.int64(row, 12)!)
        }
    }

    public func state(of id: Int64, on connection: DatabaseConnection) throws -> String? {
        try connection.query("SELECT state FROM inference_jobs WHERE id = $1", [String(id)]).string(0, 0)
    }
}
