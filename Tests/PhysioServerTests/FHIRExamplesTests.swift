import PhysioClient
import PhysioCore
import PhysioHTTP
import PhysioPlatform
import PhysioTestSupport
import Testing

/// FHIR as other tools write it: the FHIR R4 specification's own vital-sign
/// examples and a Bundle Synthea generated (Fixtures/fhir, with their licences).
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct FHIRExamplesTests {
    static let fixtures = Shell.repositoryRoot + "/Tests/PhysioServerTests/Fixtures/fhir/"
    static let examples = ["heart-rate", "bloodpressure", "satO2", "respiratory-rate", "body-temperature"]

    static func fixture(_ name: String) throws -> String {
        try Shell.output("cat '\(fixtures)\(name)'")
    }

    static func batch(_ resources: [String]) -> String {
        let entries = resources.map { #"{"resource":\#($0),"request":{"method":"POST","url":"Observation"}}"# }
        return #"{"resourceType":"Bundle","type":"batch","entry":[\#(entries.joined(separator: ","))]}"#
    }

    func post(_ server: TestServer, _ body: String) throws -> HTTPClient.Response {
        try server.client().send("POST", "/fhir", headers: [server.bearer("ingest"), ("Content-Type", "application/fhir+json")], body: Array(body.utf8))
    }

    func statuses(_ response: HTTPClient.Response, _ count: Int) -> [String?] {
        (0..<count).map { index in response.withJSON { $0["entry"]?[index]?["response"]?["status"]?.string } }
    }

    /// Four of the five examples give only a date ("1999-07-02"): refused,
    /// each with the reason and the field; the oxygen saturation, timed to
    /// the second, is stored.
    @Test func theSpecificationsExamplesAsPublished() throws {
        let server = try TestServer()
        let response = try post(server, Self.batch(try Self.examples.map { try Self.fixture("observation-example-\($0).json") }))
        #expect(response.status == 200, "\(response.text)")
        #expect(statuses(response, 5) == ["422 Unprocessable Entity", "422 Unprocessable Entity", "201 Created",
                                          "422 Unprocessable Entity", "422 Unprocessable Entity"])
        for index in [0, 1, 3, 4] {
            let issue = response.withJSON { $0["entry"]?[index]?["response"]?["outcome"]?["issue"]?[0] }
            #expect(response.withJSON { $0["entry"]?[index]?["response"]?["outcome"]?["issue"]?[0]?["expression"]?[0]?.string }
                    == "Bundle.entry[\(index)].resource.effectiveDateTime")
            #expect(response.withJSON { $0["entry"]?[index]?["response"]?["outcome"]?["issue"]?[0]?["diagnostics"]?.string }?
                        .contains("is a date without a time of day") == true, "\(String(describing: issue))")
        }
        let row = try server.database.connect().query("SELECT case_id, spo2, hr FROM vitals")
        #expect(row.rowCount == 1 && row.string(0, 0) == "example" && row.float(0, 1) == 95 && row.float(0, 2) == nil)
    }

    /// The same five, timed to one instant: one sample of case "example"
    /// with every value as the examples give it (blood pressure from its
    /// components, temperature in Cel, SpO2 in %).
    @Test func theSpecificationsExamplesTimedToOneInstantMakeOneSample() throws {
        let server = try TestServer()
        let instant = "2014-12-05T08:30:10Z"   // the oxygen saturation's own time, in UTC
        let resources = try Self.examples.map { name in
            try Self.fixture("observation-example-\(name).json")
                .replacing(#""effectiveDateTime": "1999-07-02""#, with: #""effectiveDateTime": "\#(instant)""#)
                .replacing(#""effectiveDateTime": "2012-09-17""#, with: #""effectiveDateTime": "\#(instant)""#)
        }
        let response = try post(server, Self.batch(resources))
        #expect(statuses(response, 5) == Array(repeating: "201 Created", count: 5), "\(response.text)")
        #expect(response.header("X-Physio-Samples-Accepted") == "1" && response.header("X-Physio-Samples-Merged") == "4")
        let row = try server.database.connect().query(
            "SELECT case_id, \(SQLTimeText.micros), hr, sbp, dbp, spo2, rr, temp FROM vitals")
        #expect(row.rowCount == 1)
        #expect(row.string(0, 0) == "example")
        #expect(row.int64(0, 1) == Timestamp.parseRFC3339(instant))
        #expect((2...7).map { row.float(0, $0) } == [44, 107, 60, 95, 26, 36.5])
    }

    /// Synthea's Bundle: references are urn:uuid fullUrls of the Bundle's
    /// own Patient and Encounter, the time an effectiveInstant with an
    /// offset. The encounter's id names the case; the Patient, Encounter and
    /// Claim entries are answered 200 and ignored.
    @Test func aSyntheaBundle() throws {
        let server = try TestServer()
        let response = try post(server, try Self.fixture("synthea-blood-pressure-bundle.json"))
        #expect(response.status == 200, "\(response.text)")
        #expect(response.string("type") == "transaction-response")
        #expect(statuses(response, 4) == ["200 OK", "200 OK", "201 Created", "200 OK"])
        let row = try server.database.connect().query("SELECT case_id, \(SQLTimeText.micros), sbp, dbp FROM vitals")
        #expect(row.rowCount == 1)
        #expect(row.string(0, 0) == "1dc21efe-926d-ee90-a7ad-c667ba559da6")
        #expect(row.int64(0, 1) == Timestamp.parseRFC3339("2011-06-29T16:44:52Z"))
        #expect(row.float(0, 2) == 136 && row.float(0, 3) == 49)
    }
}

/// How a time column reads back in these tests.
enum SQLTimeText {
    static let micros = "(extract(epoch from ts) * 1000000)::int8"
}
