import PhysioCore
import PhysioPlatform

/// The COPY statements behind the exports. COPY takes no parameters, so
/// values are inlined: case ids are validated to [A-Za-z0-9._-] and times
/// are formatted here, so nothing a client sends reaches the SQL as text.
enum ExportQueries {
    enum Format: String {
        case csv, ndjson

        var mediaType: String { self == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson" }
    }

    /// A COPY and, for samples or scores, how the stream rewrites its rows:
    /// PostgreSQL writes plain CSV, times as timestamptz text.
    struct Statement {
        let sql: String
        var rewriter: (any CopyRowRewriter)? = nil
    }

    /// The same COPY for both formats: CSV as it comes but for the time,
    /// NDJSON built from the CSV by the server (see NDJSONRow).
    static func rows(_ select: String, format: Format, json columns: [(name: String, kind: NDJSONRow.Kind)]) -> Statement {
        switch format {
        case .csv: Statement(sql: "COPY (\(select)) TO STDOUT WITH (FORMAT csv, HEADER true)", rewriter: CSVTimeColumn(column: 1))
        case .ndjson: Statement(sql: "COPY (\(select)) TO STDOUT WITH (FORMAT csv)", rewriter: NDJSONRow(columns))
        }
    }

    /// ISO 8601 in UTC with microseconds, e.g. 2026-11-24T10:00:00.250000Z.
    static func isoTime(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    }

    /// The row order of an export of every case. A one-case export is
    /// always in time order: sorting one case is cheap.
    enum Order: String, CaseIterable {
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

    static func orderBy(caseID: String?, _ order: Order) -> String {
        caseID != nil || order == .byCase ? "ORDER BY \(sortKey)" : ""
    }

    static func filter(caseID: String?, from: Int64?, to: Int64?, column: String, endColumn: String? = nil) -> String {
        var conditions: [String] = []
        if let caseID { conditions.append("case_id = '\(caseID)'") }
        if let from { conditions.append("\(endColumn ?? column) >= '\(Timestamp.format(from))'") }
        if let to { conditions.append("\(column) <= '\(Timestamp.format(to))'") }
        return conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    static func vitals(caseID: String?, from: Int64?, to: Int64?, order: Order, format: Format) -> Statement {
        let whereClause = filter(caseID: caseID, from: from, to: to, column: "ts")
        let names = Vital.allCases.map(\.name)
        return rows("""
            SELECT case_id, ts AS t, \(names.joined(separator: ", "))
            FROM vitals \(whereClause) \(orderBy(caseID: caseID, order))
            """, format: format, json: [("case_id", .string), ("t", .time)] + names.map { ($0, .number) })
    }

    static func scores(caseID: String?, from: Int64?, to: Int64?, order: Order, format: Format) -> Statement {
        let whereClause = filter(caseID: caseID, from: from, to: to, column: "ts")
        return rows("""
            SELECT case_id, ts AS t, score, anomalous, array_to_string(rules, ';') AS rules, model_id
            FROM anomaly_scores \(whereClause) \(orderBy(caseID: caseID, order))
            """, format: format, json: [("case_id", .string), ("t", .time), ("score", .number), ("anomalous", .boolean),
                                        ("rules", .list), ("model_id", .number)])
    }

    static func episodes(caseID: String?, from: Int64?, to: Int64?, format: Format) -> Statement {
        let whereClause = filter(caseID: caseID, from: from, to: to, column: "started_at", endColumn: "ended_at")
        let drivers = "(SELECT string_agg((d ->> 'vital') || ':' || (d ->> 'weight'), ';' ORDER BY o) FROM jsonb_array_elements(drivers) WITH ORDINALITY AS e(d, o))"
        switch format {
        case .csv:
            return Statement(sql: """
                COPY (SELECT case_id, id AS episode_id, \(isoTime("started_at")) AS start, \(isoTime("ended_at")) AS "end",
                             extract(epoch from ended_at - started_at)::float8 AS duration_seconds,
                             \(isoTime("peak_at")) AS peak_time, peak_score, \(drivers) AS drivers,
                             array_to_string(rules, ';') AS rules, model_id
                      FROM anomaly_episodes \(whereClause) ORDER BY case_id, started_at)
                TO STDOUT WITH (FORMAT csv, HEADER true)
                """)
        case .ndjson:
            return Statement(sql: """
                COPY (SELECT json_build_object('case_id', case_id, 'episode_id', id, 'start', \(isoTime("started_at")),
                             'end', \(isoTime("ended_at")), 'duration_seconds', extract(epoch from ended_at - started_at)::float8,
                             'peak_time', \(isoTime("peak_at")), 'peak_score', peak_score, 'drivers', drivers,
                             'rules', rules, 'model_id', model_id)::text
                      FROM anomaly_episodes \(whereClause) ORDER BY case_id, started_at)
                TO STDOUT
                """)
        }
    }
}
