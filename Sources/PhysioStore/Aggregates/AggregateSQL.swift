import PhysioCore

/// The SQL of the minute and hour aggregates, written once from the list
/// of vitals: used by the workers that keep the plain-PostgreSQL tables and
/// by the read path that adds buckets not rolled up yet.
public enum AggregateSQL {
    public enum Resolution: String, Sendable, CaseIterable {
        case minute, hour
        public var table: String { self == .minute ? "vitals_1m" : "vitals_1h" }
    }

    /// Aggregate columns over raw `vitals` rows (after case_id, bucket).
    public static let fromRaw = "count(*) AS samples, " + Vital.allCases.map { v in
        "sum(\(v.name)::float8) AS \(v.name)_sum, count(\(v.name)) AS \(v.name)_count, min(\(v.name)) AS \(v.name)_min, max(\(v.name)) AS \(v.name)_max"
    }.joined(separator: ", ")

    /// The same columns rolled up from minute rows.
    public static let fromMinutes = "sum(samples)::int8 AS samples, " + Vital.allCases.map { v in
        "sum(\(v.name)_sum) AS \(v.name)_sum, sum(\(v.name)_count)::int8 AS \(v.name)_count, min(\(v.name)_min) AS \(v.name)_min, max(\(v.name)_max) AS \(v.name)_max"
    }.joined(separator: ", ")

    /// Column names after case_id and bucket, in table order.
    public static let columns = ["samples"] + Vital.allCases.flatMap { v in
        ["\(v.name)_sum", "\(v.name)_count", "\(v.name)_min", "\(v.name)_max"]
    }

    static let updateAll = columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")

    /// Recomputes the minute buckets of each (case, from, to) of the
    /// unnested arrays $1, $2, $3 from the raw rows (ranges of distinct cases).
    /// Each range is its own index scan: `OFFSET 0` keeps the planner from
    /// flattening the lateral subquery into a join, which it runs as a hash
    /// join over the whole table once `vitals` is large (0.7 s at 3M rows).
    public static let refreshMinutes = """
        INSERT INTO vitals_1m (case_id, bucket, \(columns.joined(separator: ", ")))
        SELECT r.case_id, date_trunc('minute', v.ts), \(fromRaw)
        FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS r(case_id, lo, hi)
        CROSS JOIN LATERAL (SELECT * FROM vitals v WHERE v.case_id = r.case_id AND v.ts >= date_trunc('minute', r.lo)
                              AND v.ts < date_trunc('minute', r.hi) + interval '1 minute' OFFSET 0) v
        GROUP BY r.case_id, date_trunc('minute', v.ts)
        ORDER BY 1, 2
        ON CONFLICT (case_id, bucket) DO UPDATE SET \(updateAll)
        """

    /// Recomputes the hour buckets of each range from its minutes.
    public static let refreshHours = """
        INSERT INTO vitals_1h (case_id, bucket, \(columns.joined(separator: ", ")))
        SELECT r.case_id, date_trunc('hour', m.bucket), \(fromMinutes)
        FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS r(case_id, lo, hi)
        CROSS JOIN LATERAL (SELECT * FROM vitals_1m m WHERE m.case_id = r.case_id AND m.bucket >= date_trunc('hour', r.lo)
                              AND m.bucket < date_trunc('hour', r.hi) + interval '1 hour' OFFSET 0) m
        GROUP BY r.case_id, date_trunc('hour', m.bucket)
        ORDER BY 1, 2
        ON CONFLICT (case_id, bucket) DO UPDATE SET \(updateAll)
        """
}

/// Which implementation of the aggregates this database has.
public enum AggregateMode: Sendable, Equatable {
    /// Plain PostgreSQL: tables the workers keep.
    case tables
    /// TimescaleDB continuous aggregates: nothing for the workers to do.
    case continuousAggregates

    /// A table means plain PostgreSQL, a view a continuous aggregate; a
    /// missing relation is an unmigrated database, not TimescaleDB.
    public static func detect(on connection: DatabaseConnection) throws -> AggregateMode {
        let result = try connection.query("SELECT relkind::text FROM pg_class WHERE oid = to_regclass('vitals_1m')")
        switch try result.single((String).self) {
        case "r": return .tables
        case "v": return .continuousAggregates
        default: throw DatabaseError(message: "vitals_1m is missing or not a table or view: run physio migrate")
        }
    }
}

/// Keeps the plain-PostgreSQL aggregate tables exact for a time range.
public struct AggregateWriter: Sendable {
    public init() {}

    /// `ranges` must name each case once.
    public func refresh(_ ranges: [CaseRange], on connection: DatabaseConnection) throws {
        guard !ranges.isEmpty else { return }
        let parameters = CaseRange.parameters(ranges)
        try connection.query(AggregateSQL.refreshMinutes, parameters)
        try connection.query(AggregateSQL.refreshHours, parameters)
    }
}
