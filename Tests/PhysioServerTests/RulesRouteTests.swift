import PhysioCore
import PhysioData
import PhysioHTTP
import PhysioServer
import PhysioTestSupport
import Testing

/// `GET /rules` gives the rules and ranges the detector applies, and the
/// dashboard draws with what it gives instead of a copy of its own.
@Suite struct RulesRouteTests {
    static let server = APIServer(configuration: ServerConfiguration(databaseURL: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"))
    static let router = Router(routes: server.routes, authorize: { $0 == "reader" ? TokenGrant(name: "r", scopes: ["read"]) : nil })

    static func answer(token: String? = "reader") -> Response {
        router.answer(Request(method: "GET", path: "/rules", headers: token.map { [("Authorization", "Bearer \($0)")] } ?? []))
    }

    static func staticFile(_ name: String) throws -> String {
        String(decoding: try LineReader.readAll(path: Shell.repositoryRoot + "/static/" + name), as: UTF8.self)
    }

    @Test func theRulesAreTheDetectorsAndTheRangesItsArtefactFilters() throws {
        let response = Self.answer()
        #expect(response.status == 200)
        let document = try JSONDocument.parse(response.bodyBytes).get()
        try withExtendedLifetime(document) {
            let root = document.value
            let rules = try #require(root["rules"])
            #expect(rules.count == ClinicalRules.standard.rules.count)
            for (index, rule) in ClinicalRules.standard.rules.enumerated() {
                let served = try #require(rules[index])
                #expect(served["id"]?.string == rule.id)
                #expect(served["vital"]?.string == rule.vital.name)
                #expect(served["comparison"]?.string == rule.comparison.rawValue)
                #expect(served["limit"]?.number.map(Float.init) == rule.limit)
                #expect(served["source"]?.string == rule.source)
            }
            for vital in Vital.allCases {
                let range = ArtefactFilter.standard.range(of: vital)
                let served = try #require(root["plausible"]?[vital.name], "\(vital.name)")
                #expect(served["min"]?.number.map(Float.init) == range.lowerBound)
                #expect(served["max"]?.number.map(Float.init) == range.upperBound)
                let pressure = [.sbp, .dbp, .mbp].contains(vital)
                #expect(served["sustained_seconds"]?.number == ([.hr, .spo2, .rr].contains(vital) ? 20 : pressure ? 60 : nil), "\(vital.name)")
                #expect(served["sustained_from"]?.number == (pressure ? 10 : nil), "\(vital.name)")
                #expect((served["sustained_above"] != nil) == (vital == .hr), "\(vital.name): only HR is kept above its range")
            }
        }
        #expect(Self.answer(token: nil).status == 401)
    }

    /// The page reads the answer's fields, loads it before drawing, and keeps
    /// no thresholds or ranges of its own that could drift from the server's.
    @Test func theDashboardTakesItsRulesFromTheServer() throws {
        // The code, without its comments (which may give an example id).
        let format = try Self.staticFile("format.js").replacing(/\/\*[\s\S]*?\*\//, with: "").replacing(/\/\/[^\n]*/, with: "")
        for rule in ClinicalRules.extended.rules { #expect(!format.contains(rule.id), "format.js copies \(rule.id)") }
        #expect(format.matches(of: /PLAUSIBLE\s*=\s*\{\s*\w+\s*:/).isEmpty, "format.js copies the plausible ranges")
        #expect(try Self.staticFile("app.js").contains(#"adoptRules(await getJSON("/rules"))"#))

        let document = try JSONDocument.parse(Self.answer().bodyBytes).get()
        try withExtendedLifetime(document) {
            let rule = try #require(document.value["rules"]?[0])
            for field in format.matches(of: /rule\.(\w+)/).map({ String($0.1) }) where !["op", "value"].contains(field) {
                #expect(rule[field] != nil, "the page reads rule.\(field)")
            }
            let ranges = try Vital.allCases.map { try #require(document.value["plausible"]?[$0.name]) }
            for field in format.matches(of: /range\.(\w+)/).map({ String($0.1) }) {
                #expect(ranges.contains { $0[field] != nil }, "the page reads range.\(field)")
            }
            #expect(document.value["plausible"] != nil && format.contains("answer.plausible"))
        }
    }
}
