import PhysioCore

/// The inference queue on PostgreSQL (after River and graphile-worker):
/// `claim` takes available jobs with FOR UPDATE SKIP LOCKED and leases them;
/// the worker deletes them in the transaction that writes their results
/// (`acquire` + `delete`), or records a failure that schedules a retry with
/// exponential backoff and jitter, or dead-letters the job (`failed`) after
/// its last attempt. `rescue` returns jobs whose lease ran out (their worker
/// died) to the queue.
public struct JobQueue: Sendable {
    public let workerID: String
    public let leaseSeconds: Double
    public let backoffBaseSeconds: Double
    public let backoffMaxSeconds: Double

    public init(workerID: String, leaseSeconds: Double = 30, backoffBaseSeconds: Double = 1, backoffMaxSeconds: Double = 600) {
        self.workerID = workerID
        self.leaseSeconds = leaseSeconds
        self.backoffBaseSeconds = backoffBaseSeconds
        self.backoffMaxSeconds = backoffMaxSeconds
    }

    static let columns = """
        j.id, j.case_id, (extract(epoch from j.ts_from) * 1000000)::int8, (extract(epoch from j.ts_to) * 1000000)::int8,
        j.samples, j.attempts, j.max_attempts, (extract(epoch from j.created_at) * 1000000)::int8
        """

    /// Leases up to `limit` available jobs, oldest first, skipping rows other
    /// workers hold. Commits on its own.
    public func claim(limit: Int, on connection: DatabaseConnection) throws -> [InferenceJob] {
        let result = try connection.query("""
            UPDATE inference_jobs j
            SET state = 'running', attempts = j.attempts + 1, locked_by = $1,
                locked_until = now() + make_interval(secs => $2::float8)
            FROM (SELECT id FROM inference_jobs
                  WHERE state = 'available' AND run_at <= now()
                  ORDER BY run_at, id
                  LIMIT $3
                  FOR UPDATE SKIP LOCKED) claimed
            WHERE j.id = claimed.id
            RETURNING \(Self.columns)
            """, [workerID, String(leaseSeconds), String(limit)])
        return Self.jobs(result).sorted { $0.id < $1.id }
    }

    /// Inside the caller's transaction: locks the jobs this worker still
    /// holds and returns their ids. A job whose lease was rescued and taken
    /// by another worker is missing from the answer; its results must not be written.
    public func acquire(_ ids: [Int64], on connection: DatabaseConnection) throws -> Set<Int64> {
        let result = try connection.query("""
            SELECT id FROM inference_jobs
            WHERE id = ANY($1::int8[]) AND state = 'running' AND locked_by = $2
            ORDER BY id FOR UPDATE
            """, [PostgresArray.literal(ids.map(String.init)), workerID])
        return Set((0..<result.rowCount).map { result.int64($0, 0)! })
    }

    /// Inside the caller's transaction: finished jobs disappear with their results committed.
    public func delete(_ ids: [Int64], on connection: DatabaseConnection) throws {
        try connection.query("DELETE FROM inference_jobs WHERE id = ANY($1::int8[]) AND locked_by = $2",
                             [PostgresArray.literal(ids.map(String.init)), workerID])
    }

    /// Gives claimed jobs back untouched (a worker stopping before it got to
    /// them): available at once, the attempt not counted.
    public func release(_ ids: [Int64], on connection: DatabaseConnection) throws {
        try connection.query("""
            UPDATE inference_jobs SET state = 'available', attempts = attempts - 1, locked_by = NULL, locked_until = NULL
            WHERE id = ANY($1::int8[]) AND locked_by = $2 AND state = 'running'
            """, [PostgresArray.literal(ids.map(String.init)), workerID])
    }

    /// Records a failed attempt: back to `available` after a backoff, or
    /// `failed` (kept, with the error) after the last attempt.
    @discardableResult
    public func fail(_ job: InferenceJob, error: String, on connection: DatabaseConnection) throws -> String {
        let delay = backoffSeconds(afterAttempt: job.attempt)
        let result = try connection.query("""
            UPDATE inference_jobs
            SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'available' END,
                run_at = now() + make_interval(secs => $3::float8),
                locked_by = NULL, locked_until = NULL, last_error = $4
            WHERE id = $1 AND locked_by = $2
            RETURNING state
            """, [String(job.id), workerID, String(delay), String(error.prefix(2000))])
        return result.rowCount == 1 ? result.string(0, 0)! : "lost"
    }

    /// Exponential backoff with full jitter: uniform in [b/2, b] for
    /// b = base · 2^(attempt−1), capped.
    public func backoffSeconds(afterAttempt attempt: Int) -> Double {
        let exponential = min(backoffMaxSeconds, backoffBaseSeconds * pow2(attempt - 1))
        return exponential / 2 + Double.random(in: 0...(exponential / 2))
    }

    /// Returns jobs whose lease expired to the queue (or dead-letters them if
    /// that was their last attempt). Any worker may run it; returns how many.
    @discardableResult
    public func rescue(on connection: DatabaseConnection) throws -> Int {
        let result = try connection.query("""
            UPDATE inference_jobs
            SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'available' END,
                run_at = now(), locked_by = NULL, locked_until = NULL,
                last_error = coalesce(last_error || '; ', '') || 'lease expired (worker ' || coalesce(locked_by, '?') || ' stopped or stalled)'
            WHERE state = 'running' AND locked_until < now()
            """)
        return result.affectedRows
    }

    /// Dead letters back to the queue with a fresh set of attempts (admin).
    public static func retry(id: Int64, on connection: DatabaseConnection) throws -> Bool {
        try connection.query("""
            UPDATE inference_jobs SET state = 'available', attempts = 0, run_at = now(), last_error = NULL
            WHERE id = $1 AND state = 'failed'
            """, [String(id)]).affectedRows == 1
    }

    static func jobs(_ result: QueryResult) -> [InferenceJob] {
        (0..<result.rowCount).map { row in
            InferenceJob(id: result.int64(row, 0)!, caseID: result.string(row, 1)!, from: result.int64(row, 2)!,
                         to: result.int64(row, 3)!, samples: result.int(row, 4)!, attempt: result.int(row, 5)!,
                         maxAttempts: result.int(row, 6)!, enqueuedAt: result.int64(row, 7)!)
        }
    }


    private func pow2(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<max(0, min(exponent, 60)) { value *= 2 }
        return value
    }
}
