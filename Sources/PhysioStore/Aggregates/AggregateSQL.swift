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

    /// Recomputes the minute buckets of one case between $2 and $3 from raw rows.
    public static let refreshMinutes = """
        INSERT INTO vitals_1m (case_id, bucket, \(columns.joined(separator: ", ")))
        SELECT case_id, date_trunc('minute', ts), \(fromRaw)
        FROM vitals
        WHERE case_id = $1 AND ts >= date_trunc('minute', $2::timestamptz)
          AND ts < date_trunc('minute', $3::timestamptz) + interval '1 minute'
        GROUP BY case_id, date_trunc('minute', ts)
        ON CONFLICT (case_id, bucket) DO UPDATE SET \(updateAll)
        """

    /// Recomputes the hour buckets of one case between $2 and $3 from its minutes.
    public static let refreshHours = """
        INSERT INTO vitals_1h (case_id, bucket, \(columns.joined(separator: ", ")))
        SELECT case_id, date_trunc('hour', bucket), \(fromMinutes)
        FROM vitals_1m
        WHERE case_id = $1 AND bucket >= date_trunc('hour', $2::timestamptz)
          AND bucket < date_trunc('hour', $3::timestamptz) + interval '1 hour'
        GROUP BY case_id, date_trunc('hour', bucket)
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
        switch result.rowCount == 1 ? result.string(0, 0) : nil {
        case "r": return .tables
        case "v": return .continuousAggregates
        default: throw DatabaseError(message: "vitals_1m is missing or not a table or view: run physio migrate")
        }
    }
}

/// Keeps the plain-PostgreSQL aggregate tables exact for a time range.
public struct AggregateWriter: Sendable {
    public init() {}

    public func refresh(caseID: String, from: Int64, to: Int64, on connection: DatabaseConnection) throws {
        let parameters = [caseID, Timestamp.format(from), Timestamp.format(to)]
        try connection.query(AggregateSQL.refreshMinutes, parameters)
        try connection.query(AggregateSQL.refreshHours, parameters)
    }
}
