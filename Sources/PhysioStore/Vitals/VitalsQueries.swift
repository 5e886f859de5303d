import PhysioCore
import PhysioPlatform

/// One bucket of a case's aggregates: samples, and per vital count, sum, min, max.
/// Minute or hour buckets as PostgreSQL wrote them: numbers stay in its
/// text form (shortest round-trip), which JSON takes as is, so answers are
/// spliced rather than parsed and printed again (that was most of the time
/// of a whole-case read). Columns: start (µs), samples, then per vital in
/// `Vital` order count, avg, min, max.
public struct VitalsBuckets {
    public enum Statistic: Int, CaseIterable, Sendable { case count, avg, min, max }

    let result: QueryResult

    public var count: Int { result.rowCount }
    public func start(_ row: Int) throws -> Int64 { try Row(result: result, index: row).decode(0) }
    public func samples(_ row: Int) throws -> UnsafeBufferPointer<UInt8> { try text(row, column: 1) }

    /// Whether the vital was measured in the bucket (its count is not 0).
    public func isMeasured(_ row: Int, _ vital: Vital) -> Bool {
        guard let count = result.bytes(row, column(vital, .count)) else { return false }
        return !(count.count == 1 && count[0] == 0x30)
    }

    /// The statistic's text; only for a measured vital (where it is never NULL).
    public func text(_ row: Int, _ vital: Vital, _ statistic: Statistic) throws -> UnsafeBufferPointer<UInt8> {
        try text(row, column: column(vital, statistic))
    }

    private func text(_ row: Int, column: Int) throws -> UnsafeBufferPointer<UInt8> {
        guard let bytes = result.bytes(row, column) else {
            throw ColumnValue(result: result, row: row, column: column).mismatch(UnsafeBufferPointer<UInt8>.self)
        }
        return bytes
    }

    private func column(_ vital: Vital, _ statistic: Statistic) -> Int { 2 + vital.rawValue * 4 + statistic.rawValue }

    /// avg is float8 division of the float8 sum (the same double as
    /// `avg(hr::float8)` over the raw rows: sums of real values are exact in
    /// float8 at these sizes), rounded to the vitals' own precision (real,
    /// as stored and as min and max print): a bucket of readings of 36.1 °C
    /// averages 36.1, not the 36.099998474121094 that the real 36.1 is as a
    /// double, and min ≤ avg ≤ max holds in the printed numbers.
    static let columns = Vital.allCases.map { v in
        "\(v.name)_count, (\(v.name)_sum / nullif(\(v.name)_count, 0))::real, \(v.name)_min, \(v.name)_max"
    }.joined(separator: ", ")
}

public struct VitalsQueries: Sendable {
    public init() {}

    /// Raw samples in [from, to], at most `limit` rows.
    public func raw(caseID: CaseID, from: Int64?, to: Int64?, limit: Int, on connection: DatabaseConnection) throws -> SampleBatch {
        let result = try connection.query(prepared: """
            SELECT \(VitalsReader.columns) FROM vitals
            WHERE case_id = $1 AND ($2::timestamptz IS NULL OR ts >= $2) AND ($3::timestamptz IS NULL OR ts <= $3)
            ORDER BY ts LIMIT $4
            """, [caseID, SQLTime.optional(from), SQLTime.optional(to), limit])
        return try VitalsReader.batch(caseID: caseID.rawValue, result)
    }

    /// Buckets whose start lies in [floor(from), to], each over its whole
    /// minute or hour. Buckets of the case that still have queued (or
    /// failed) jobs are computed from the raw rows, the rest read from the
    /// aggregate, in one statement (one snapshot), so the answer always
    /// equals a GROUP BY over the raw rows on plain PostgreSQL; under
    /// TimescaleDB the continuous aggregate's own real-time view does the rest.
    public func buckets(caseID: CaseID, resolution: AggregateSQL.Resolution, from: Int64?, to: Int64?,
                        on connection: DatabaseConnection) throws -> VitalsBuckets {
        let sql = Self.bucketsSQL[resolution] ?? Self.bucketsSQL(for: resolution)
        return VitalsBuckets(result: try connection.query(prepared: sql, [caseID, SQLTime.optional(from), SQLTime.optional(to)]))
    }

    /// Built once per resolution: the text never changes.
    static let bucketsSQL = Dictionary(uniqueKeysWithValues: AggregateSQL.Resolution.allCases.map { ($0, bucketsSQL(for: $0)) })

    static func bucketsSQL(for resolution: AggregateSQL.Resolution) -> String {
        let unit = resolution.rawValue
        return """
            WITH tail AS (
                SELECT coalesce(date_trunc('\(unit)', min(ts_from)), 'infinity'::timestamptz) AS start
                FROM inference_jobs WHERE case_id = $1),
            bounds AS (
                SELECT date_trunc('\(unit)', coalesce($2::timestamptz, '-infinity'::timestamptz)) AS low,
                       coalesce($3::timestamptz, 'infinity'::timestamptz) AS high)
            SELECT \(SQL.micros("bucket")), samples, \(VitalsBuckets.columns) FROM (
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
    }
}
