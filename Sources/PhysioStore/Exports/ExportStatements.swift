import PhysioCore
import PhysioPlatform

/// The COPY statements behind the exports. COPY takes no parameters, so
/// values are inlined: a case id is a `CaseID` ([A-Za-z0-9._-] only) and
/// times are formatted here, so nothing a client sends reaches the SQL as text.
public enum ExportStatements {
    public enum Format: String, Sendable {
        case csv, ndjson

        public var mediaType: String { self == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson" }
    }

    /// What a column of plain CSV rows holds, for the server that rewrites them.
    public enum ColumnKind: Sendable {
        case string
        /// timestamptz text (UTC, DateStyle ISO).
        case time
        /// A number as PostgreSQL writes it (NaN and infinities included).
        case number
        /// `true` or `false` (a boolean selected as text).
        case boolean
        /// A text array joined with `;` (`array_to_string`).
        case list
    }

    /// A COPY and, for samples or scores, the columns of the plain CSV rows
    /// PostgreSQL writes (times as timestamptz text), which the server
    /// rewrites on the way out: CSV's times to ISO 8601, or each row to an
    /// NDJSON line. Without columns the statement writes the final text.
    public struct Statement: Sendable {
        public let sql: String
        public let format: Format
        public var columns: [(name: String, kind: ColumnKind)]? = nil
    }

    /// The same COPY for both formats: CSV as it comes but for the time,
    /// NDJSON built from the CSV by the server. Booleans are selected as
    /// text (`true`/`false`, which pandas reads as bool; the CSV form of a
    /// boolean is `t`/`f`).
    static func rows(_ select: String, format: Format, columns: [(name: String, kind: ColumnKind)]) -> Statement {
        switch format {
        case .csv: Statement(sql: "COPY (\(select)) TO STDOUT WITH (FORMAT csv, HEADER true)", format: format, columns: columns)
        case .ndjson: Statement(sql: "COPY (\(select)) TO STDOUT WITH (FORMAT csv)", format: format, columns: columns)
        }
    }

    /// ISO 8601 in UTC with microseconds, e.g. 2026-11-24T10:00:00.250000Z.
    static func isoTime(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    }

    /// The row order of an export of every case. A one-case export is
    /// always in time order: sorting one case is cheap.
    public enum Order: String, CaseIterable, Sendable {
        /// By case (byte order) then time: PostgreSQL sorts every row, which
        /// on two cores halves the rows/s and spills the sort to temp files.
        case byCase = "case"
        /// As the table holds them (roughly arrival order), without a sort.
        case stored
    }

    /// By case (byte order) then time. Sorting beats walking the primary key
    /// for many cases: their rows are interleaved in the table, so the index
    /// order reads a page per row (5x slower at 3M rows); the "C" collation
    /// keeps the sort cheap and the order the same on every server.
    static let sortKey = "case_id COLLATE \"C\", ts"

    static func orderBy(caseID: CaseID?, _ order: Order) -> String {
        caseID != nil || order == .byCase ? "ORDER BY \(sortKey)" : ""
    }

    static func filter(caseID: CaseID?, from: Int64?, to: Int64?, column: String, endColumn: String? = nil) -> String {
        var conditions: [String] = []
        if let caseID { conditions.append("case_id = '\(caseID.rawValue)'") }
        if let from { conditions.append("\(endColumn ?? column) >= '\(Timestamp.format(from))'") }
        if let to { conditions.append("\(column) <= '\(Timestamp.format(to))'") }
        return conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    public static func vitals(caseID: CaseID?, from: Int64?, to: Int64?, order: Order, format: Format) -> Statement {
        let whereClause = filter(caseID: caseID, from: from, to: to, column: "ts")
        let names = Vital.allCases.map(\.name)
        return rows("""
            SELECT case_id, ts AS t, \(names.joined(separator: ", "))
            FROM vitals \(whereClause) \(orderBy(caseID: caseID, order))
            """, format: format, columns: [("case_id", .string), ("t", .time)] + names.map { ($0, .number) })
    }

    public static func scores(caseID: CaseID?, from: Int64?, to: Int64?, order: Order, format: Format) -> Statement {
        let whereClause = filter(caseID: caseID, from: from, to: to, column: "ts")
        return rows("""
            SELECT case_id, ts AS t, score, anomalous::text AS anomalous, source, array_to_string(rules, ';') AS rules, model_id
            FROM anomaly_scores \(whereClause) \(orderBy(caseID: caseID, order))
            """, format: format, columns: [("case_id", .string), ("t", .time), ("score", .number), ("anomalous", .boolean),
                                        ("source", .string), ("rules", .list), ("model_id", .number)])
    }

    /// An episode's raised rule alarms as rows (rule, at): `EpisodeStore.alarmsJSON`'s text read back as times.
    static let alarmTimes = """
        (SELECT a ->> 'rule' AS rule, (a ->> 'raised_at')::timestamptz AS at FROM jsonb_array_elements(alarms) AS e(a)
         WHERE a ->> 'raised_at' IS NOT NULL) r
        """

    public static func episodes(caseID: CaseID?, from: Int64?, to: Int64?, format: Format) -> Statement {
        let whereClause = filter(caseID: caseID, from: from, to: to, column: "started_at", endColumn: "ended_at")
        let drivers = EpisodeStore.driversList(separator: ";")
        switch format {
        case .csv:
            return Statement(sql: """
                COPY (SELECT case_id, id AS episode_id, \(isoTime("started_at")) AS start, \(isoTime("ended_at")) AS "end",
                             extract(epoch from ended_at - started_at)::float8 AS duration_seconds,
                             \(isoTime("peak_at")) AS peak_time, peak_score, \(drivers) AS drivers,
                             array_to_string(rules, ';') AS rules, source, model_id, \(isoTime("raised_at")) AS raised_at,
                             (SELECT string_agg(r.rule || '=' || \(isoTime("r.at")), ';' ORDER BY r.at, r.rule) FROM \(alarmTimes)) AS alarms
                      FROM anomaly_episodes \(whereClause) ORDER BY case_id, started_at)
                TO STDOUT WITH (FORMAT csv, HEADER true)
                """, format: format)
        case .ndjson:
            return Statement(sql: """
                COPY (SELECT json_build_object('case_id', case_id, 'episode_id', id, 'start', \(isoTime("started_at")),
                             'end', \(isoTime("ended_at")), 'duration_seconds', extract(epoch from ended_at - started_at)::float8,
                             'peak_time', \(isoTime("peak_at")), 'peak_score', peak_score, 'drivers', drivers,
                             'rules', rules, 'source', source, 'raised_at', \(isoTime("raised_at")), 'model_id', model_id,
                             'alarms', (SELECT coalesce(json_agg(json_build_object('rule', r.rule, 'raised_at', \(isoTime("r.at")))
                                                                 ORDER BY r.at, r.rule), '[]'::json)
                                        FROM \(alarmTimes)))::text
                      FROM anomaly_episodes \(whereClause) ORDER BY case_id, started_at)
                TO STDOUT
                """, format: format)
        }
    }
}
