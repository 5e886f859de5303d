import Foundation
import PhysioStore
import PhysioTestSupport
import Testing

/// deploy/grafana's dashboard, read as Grafana's PostgreSQL data source
/// reads it: every query of its panels, annotations and case variable, with
/// Grafana's macros expanded as its documentation gives them, run against a
/// database the workers filled, as the read-only role of reader.sql. Grafana
/// itself is not run here (it is not packaged for this machine's Debian).
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct GrafanaDashboardTests {
    static let directory = "\(Shell.repositoryRoot)/deploy/grafana"

    /// Every `rawSql` of the dashboard with where it came from and its format.
    static func queries() throws -> [(place: String, format: String, sql: String)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/dashboards/physio-case.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var found: [(String, String, String)] = []
        for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
            #expect((panel["datasource"] as? [String: Any])?["uid"] as? String == "physio-postgres", "\(panel["title"] ?? "")")
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                found.append(("panel \(panel["title"] ?? "")", target["format"] as? String ?? "", target["rawSql"] as? String ?? ""))
            }
        }
        let annotations = (dashboard["annotations"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        for annotation in annotations {
            let target = annotation["target"] as? [String: Any] ?? [:]
            found.append(("annotation", "annotation", target["rawSql"] as? String ?? ""))
        }
        let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        for variable in variables { found.append(("variable \(variable["name"] ?? "")", "variable", variable["query"] as? String ?? "")) }
        return found
    }

    /// Grafana's PostgreSQL macros (its data source documentation) for a
    /// time range, an interval in seconds and the case variable.
    static func expand(_ sql: String, from: String, to: String, intervalSeconds: Int, caseID: String) -> String {
        var text = sql.replacingOccurrences(of: "${case_id:sqlstring}", with: "'\(caseID.replacingOccurrences(of: "'", with: "''"))'")
            .replacingOccurrences(of: "$__interval", with: "\(intervalSeconds)s")
            .replacingOccurrences(of: "$__timeFrom()", with: "'\(from)'")
            .replacingOccurrences(of: "$__timeTo()", with: "'\(to)'")
        let groupAlias = try! NSRegularExpression(pattern: #"\$__timeGroupAlias\((\w+),\s*'?(\d+)s'?\)"#)
        text = groupAlias.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                                   withTemplate: #"floor(extract(epoch from $1)/$2)*$2 AS "time""#)
        let filter = try! NSRegularExpression(pattern: #"\$__timeFilter\((\w+)\)"#)
        return filter.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                               withTemplate: "$1 BETWEEN '\(from)' AND '\(to)'")
    }

    @Test func everyQueryRunsAsTheReadOnlyRoleAndGivesGrafanaItsShape() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        let start: Int64 = 1_795_600_000
        try database.ingest([TestModels.caseWithCrisis("or-7", start: start, seconds: 900, crisis: 400..<520)])
        let workers = try database.startWorkers()
        #expect(try database.waitForEmptyQueue())
        workers.stop()
        #expect(try database.count("SELECT count(*) FROM anomaly_episodes") >= 1)

        // reader.sql as the README says to run it (twice: it is rerun on other databases), then connect as its role.
        for _ in 0..<2 {
            try Shell.run("psql '\(database.url)' -q -v ON_ERROR_STOP=1 -v password=pw-grafana -f '\(Self.directory)/reader.sql'")
        }
        let reader = try DatabaseConnection(url: database.url.replacingOccurrences(of: "://physio@", with: "://physio_grafana@"),
                                            applicationName: "grafana-test")
        #expect(throws: DatabaseError.self, "no tokens for the reader") { try reader.query("SELECT count(*) FROM api_tokens") }
        #expect(throws: DatabaseError.self, "read only") { try reader.query("DELETE FROM anomaly_episodes") }

        let queries = try Self.queries()
        #expect(queries.count == 9, "\(queries.map(\.place))")
        for (place, format, sql) in queries {
            #expect(!sql.contains("$") || sql.contains("$__") || sql.contains("${case_id"), "\(place): a macro this test does not know")
            let expanded = Self.expand(sql, from: "2026-11-25T09:45:00Z", to: "2026-11-25T10:05:00Z", intervalSeconds: 10, caseID: "or-7")
            #expect(!expanded.contains("$__") && !expanded.contains("${"), "\(place): \(expanded)")
            let result = try reader.query(expanded)
            #expect(result.rowCount > 0, "\(place) returned no rows:\n\(expanded)")
            let names = (0..<result.columnCount).map(result.columnName)
            switch format {
            case "time_series":
                // A column named time (epoch seconds), the rest numbers, in time order.
                #expect(names.first == "time" && names.count >= 2, "\(place): \(names)")
                let numeric: Set<UInt32> = [20, 21, 23, 700, 701, 1700]
                #expect((0..<result.columnCount).allSatisfy { numeric.contains(result.columnType($0)) }, "\(place): \((0..<result.columnCount).map(result.columnType))")
                let times = (0..<result.rowCount).compactMap { result.double($0, 0) }
                #expect(times == times.sorted() && times.count == result.rowCount, "\(place)")
                #expect(result.rowCount == 90, "\(place): the case's 900 s in 10-s buckets, got \(result.rowCount)")
            case "table":
                #expect(names.starts(with: ["start", "alarm raised", "end", "source", "rules"]), "\(place): \(names)")
                #expect(result.columnType(0) == 1184 && result.columnType(1) == 1184, "\(place): times as timestamptz")
            case "annotation":
                #expect(names == ["time", "timeend", "text", "tags"], "\(place): \(names)")
                #expect(result.string(0, 2)?.contains("sbp_lt_80") == true, "\(place): \(result.string(0, 2) ?? "")")
            default:
                #expect(result.string(0, 0) == "or-7", "\(place)")
            }
        }
    }
}
