import PhysioClient
import PhysioCore
import PhysioTestSupport
import Testing

/// Nothing a FHIR client sends is dropped silently: what the server cannot
/// store as sent (a bound instead of a value, a value it cannot place, one
/// vital twice, a request other than create, an impossible time) is refused
/// at its FHIRPath, and what it does not store (a component of another
/// code) is named in the entry's answer. Found by an outside review, where
/// each was answered 201 Created.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct FHIRNothingDroppedTests {
    static func component(_ code: String, _ quantity: String) -> String {
        #"{"code":{"coding":[{"system":"http://loinc.org","code":"\#(code)"}]},"valueQuantity":\#(quantity)}"#
    }

    /// An Observation of case `c` at second `second` of 10:00 with `fields` added.
    static func observation(_ code: String, second: Int, _ fields: String) -> String {
        #"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"\#(code)"}]},"subject":{"reference":"Patient/c"},"effectiveDateTime":"2026-11-24T10:00:\#(second < 10 ? "0" : "")\#(second)Z",\#(fields)}"#
    }

    static func bundle(_ type: String, _ entries: [(resource: String?, request: String)]) -> String {
        let items = entries.map { entry in
            (entry.resource.map { #"{"resource":\#($0),"# } ?? "{") + #""request":\#(entry.request)}"#
        }
        return #"{"resourceType":"Bundle","type":"\#(type)","entry":[\#(items.joined(separator: ","))]}"#
    }

    static let create = #"{"method":"POST","url":"Observation"}"#
    static let hr = #""valueQuantity":{"value":72,"code":"/min"}"#

    func post(_ server: TestServer, _ body: String) throws -> HTTPClient.Response {
        try server.client().send("POST", "/fhir", headers: [server.bearer("ingest"), ("Content-Type", "application/fhir+json")], body: Array(body.utf8))
    }

    func status(_ response: HTTPClient.Response, _ index: Int) -> String? {
        response.withJSON { $0["entry"]?[index]?["response"]?["status"]?.string }
    }

    /// Every expression of the entry's first issue.
    func expressions(_ response: HTTPClient.Response, _ index: Int, issue: Int = 0) -> [String] {
        let count = response.withJSON { $0["entry"]?[index]?["response"]?["outcome"]?["issue"]?[issue]?["expression"]?.count } ?? 0
        return (0..<count).compactMap { at in
            response.withJSON { $0["entry"]?[index]?["response"]?["outcome"]?["issue"]?[issue]?["expression"]?[at]?.string }
        }
    }

    func diagnostics(_ response: HTTPClient.Response, _ index: Int, issue: Int = 0) -> String {
        response.withJSON { $0["entry"]?[index]?["response"]?["outcome"]?["issue"]?[issue]?["diagnostics"]?.string } ?? ""
    }

    /// The header counts Observations not stored; a Patient or Encounter
    /// sent for context is no Observation ignored (its entry says so).
    @Test func theIgnoredHeaderCountsObservationsOnly() throws {
        let server = try TestServer()
        let response = try post(server, Self.bundle("transaction", [
            (#"{"resourceType":"Patient","id":"c"}"#, #"{"method":"POST","url":"Patient"}"#),
            (#"{"resourceType":"Encounter","id":"op-1","status":"in-progress"}"#, #"{"method":"POST","url":"Encounter"}"#),
            (Self.observation("8867-4", second: 1, Self.hr), Self.create),
            (Self.observation("29463-7", second: 1, #""valueQuantity":{"value":70,"code":"kg"}"#), Self.create),
        ]))
        #expect(response.status == 200, "\(response.text)")
        #expect((0..<4).map { status(response, $0) } == ["200 OK", "200 OK", "201 Created", "200 OK"])
        #expect(response.header("X-Physio-Observations-Ignored") == "1")
    }
}
