import PhysioCore

/// One bucket of a case's aggregates: samples, and per vital count, sum, min, max.
public struct VitalsBucket: Sendable {
    public let start: Int64
    public let samples: Int64
    /// Per vital (in `Vital` order): (count, sum, min, max); count 0 = no values.
    public let vitals: [(count: Int64, sum: Double, min: Float, max: Float)]
}

public struct VitalsQueries: Sendable {
    public init() {}

    /// Raw samples in [from, to], at most `limit` rows.
    public func raw(caseID: String, from: Int64?, to: Int64?, limit: Int, on connection: DatabaseConnection) throws -> SampleBatch {
        let result = try connection.query("""
            SELECT \(VitalsReader.columns) FROM vitals
            WHERE case_id = $1 AND ($2::timestamptz IS NULL OR ts >= $2) AND ($3::timestamptz IS NULL OR ts <= $3)
            ORDER BY ts LIMIT $4
            """, [caseID, from.map { Timestamp.format($0) }, to.map { Timestamp.format($0) }, String(limit)])
        return VitalsReader.batch(caseID: caseID, result)
    }

    /// Buckets whose start lies in [floor(from), to], each over its whole
    /// minute or hour. Buckets of the case that still have queued (or
    /// failed) jobs are computed from the raw rows, the rest read from the
    /// aggregate, in one statement (one snapshot), so the answer always
    /// equals a GROUP BY over the raw rows on plain PostgreSQL; under
    /// TimescaleDB the continuous aggregate's own real-time view does the rest.
    public func buckets(caseID: String, resolution: AggregateSQL.Resolution, from: Int64?, to: Int64?,
                        on connection: DatabaseConnection) throws -> [VitalsBucket] {
        let unit = resolution.rawValue
        let columns = AggregateSQL.columns.joined(separator: ", ")
        let sql = """
            WITH tail AS (
                SELECT coalesce(date_trunc('\(unit)', min(ts_from)), 'infinity'::timestamptz) AS start
                FROM inference_jobs WHERE case_id = $1),
            bounds AS (
                SELECT date_trunc('\(unit)', coalesce($2::timestamptz, '-infinity'::timestamptz)) AS low,
                       coalesce($3::timestamptz, 'infinity'::timestamptz) AS high)
            SELECT (extract(epoch from bucket) * 1000000)::int8, \(columns) FROM (
                SELECT a.bucket, \(AggregateSQL.columns.map { "a.\($0)" }.joined(separator: ", "))
                FROM \(resolution.table) a, tail, bounds
                WHERE a.case_id = $1 AND a.bucket >= bounds.low AND a.bucket <= bounds.high AND a.bucket < tail.start
                UNION ALL
                SELECT date_trunc('\(unit)', ts) AS bucket, \(AggregateSQL.fromRaw)
                FROM vitals, tail, bounds
                WHERE case_id = $1 AND ts >= greatest(tail.start, bounds.low)
                  AND ts < (CASE WHEN bounds.high = 'infinity' THEN bounds.high
                                 ELSE date_trunc('\(unit)', bounds.high) + interval '1 \(unit)' END)
                GROUP BY 1) buckets
            ORDER BY 1
            """
        let result = try connection.query(sql, [caseID, from.map { Timestamp.format($0) }, to.map { Timestamp.format($0) }])
        return (0..<result.rowCount).map { row in
            VitalsBucket(start: result.int64(row, 0)!, samples: result.int64(row, 1)!, vitals: Vital.allCases.map { vital in
                let base = 2 + vital.rawValue * 4
                return (result.int64(row, base + 1) ?? 0, result.double(row, base) ?? 0,
                        result.float(row, base + 2) ?? .nan, result.float(row, base + 3) ?? .nan)
            })
        }
    }
}
