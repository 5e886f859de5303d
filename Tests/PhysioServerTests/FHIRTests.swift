import PhysioClient
import PhysioCore
import PhysioTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct FHIRTests {
    static func observation(_ code: String, system: String = "http://loinc.org", value: Double? = nil, unit: String? = nil,
                            components: String? = nil, time: String = "2026-11-24T10:00:00Z",
                            reference: String = #""encounter":{"reference":"Encounter/op-12"}"#, status: String = "final") -> String {
        var resource = #"{"resourceType":"Observation","status":"\#(status)","code":{"coding":[{"system":"\#(system)","code":"\#(code)"}]},\#(reference),"effectiveDateTime":"\#(time)""#
        if let value { resource += #","valueQuantity":{"value":\#(value)\#(unit.map { #","system":"http://unitsofmeasure.org","code":"\#($0)""# } ?? "")}"# }
        if let components { resource += #","component":\#(components)"# }
        return #"{"resource":\#(resource)},"request":{"method":"POST","url":"Observation"}}"#
    }

    static func bundle(_ type: String, _ entries: [String]) -> String {
        #"{"resourceType":"Bundle","type":"\#(type)","entry":[\#(entries.joined(separator: ","))]}"#
    }

    static let bloodPressure = #"[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":118,"code":"mm[Hg]"}},{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":61,"code":"mm[Hg]"}}]"#

    func post(_ server: TestServer, _ body: String, contentType: String = "application/fhir+json") throws -> HTTPClient.Response {
        try server.client().send("POST", "/fhir", headers: [server.bearer("ingest"), ("Content-Type", contentType)], body: Array(body.utf8))
    }

    @Test func aTransactionOfVitalSignsBecomesOneSample() throws {
        let server = try TestServer()
        let body = Self.bundle("transaction", [
            Self.observation("8867-4", value: 72, unit: "/min"),
            Self.observation("59408-5", value: 98, unit: "%"),
            Self.observation("85354-9", components: Self.bloodPressure),
            Self.observation("8478-0", value: 80, unit: "mm[Hg]"),
            Self.observation("9279-1", value: 14, unit: "/min"),
            Self.observation("8310-5", value: 97.7, unit: "[degF]"),
            Self.observation("151708", system: "urn:iso:std:iso:11073:10101", value: 4.666, unit: "kPa"),
            Self.observation("29463-7", value: 70, unit: "kg"),   // body weight: not a vital sign here
            #"{"resource":{"resourceType":"Patient","id":"p1"}}"#,
        ])
        let response = try post(server, body)
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "application/fhir+json")
        #expect(response.string("type") == "transaction-response")
        #expect(response.withJSON { $0["entry"]?.count } == 9)
        #expect(response.withJSON { $0["entry"]?[0]?["response"]?["status"]?.string } == "201 Created")
        #expect(response.withJSON { $0["entry"]?[7]?["response"]?["status"]?.string } == "200 OK")
        #expect(response.header("X-Physio-Samples-Accepted") == "1")
        #expect(response.header("X-Physio-Observations-Ignored") == "2")
        let row = try server.database.connect().query("SELECT hr, spo2, sbp, dbp, mbp, rr, temp, etco2 FROM vitals WHERE case_id = 'op-12'")
        #expect(row.rowCount == 1)
        #expect((0..<6).map { row.float(0, $0)! } == [72, 98, 118, 61, 80, 14])
        #expect(abs(row.float(0, 6)! - 36.5) < 0.01)
        #expect(abs(row.float(0, 7)! - 35.0) < 0.01)
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs WHERE case_id = 'op-12'") == 1)
        // The same Bundle again stores nothing twice.
        #expect(try post(server, body).header("X-Physio-Samples-Duplicate") == "1")
    }

    @Test func theSubjectNamesTheCaseWhenThereIsNoEncounter() throws {
        let server = try TestServer()
        let response = try post(server, Self.bundle("batch", [
            Self.observation("8867-4", value: 66, unit: "/min", reference: #""subject":{"reference":"Patient/pt-9"}"#)]))
        #expect(response.status == 200)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'pt-9'") == 1)
    }

    @Test func aTransactionWithABadEntryStoresNothing() throws {
        let server = try TestServer()
        let response = try post(server, Self.bundle("transaction", [
            Self.observation("8867-4", value: 72, unit: "/min"),
            Self.observation("59408-5", value: 140, unit: "%"),
            Self.observation("8310-5", value: 36.6, unit: "K"),
            Self.observation("8867-4", value: 72, unit: "/min", time: "2026-11-24"),
        ]))
        #expect(response.status == 422)
        #expect(response.string("resourceType") == "OperationOutcome")
        #expect(response.withJSON { $0["issue"]?.count } == 3)
        #expect(response.text.contains("Bundle.entry[1].resource.valueQuantity.value"))
        #expect(response.text.contains("Bundle.entry[2].resource.valueQuantity.code"))
        #expect(response.text.contains("Bundle.entry[3].resource.effectiveDateTime"))
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
    }

    @Test func aBatchStoresItsGoodEntriesAndReportsTheBadOnes() throws {
        let server = try TestServer()
        let response = try post(server, Self.bundle("batch", [
            Self.observation("8867-4", value: 72, unit: "/min"),
            Self.observation("59408-5", value: 140, unit: "%"),
        ]))
        #expect(response.status == 200)
        #expect(response.withJSON { $0["entry"]?[1]?["response"]?["status"]?.string } == "422 Unprocessable Entity")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 72 AND spo2 IS NULL") == 1)
    }

    @Test(arguments: [
        ("{not json", 400),
        (#"{"resourceType":"Patient"}"#, 422),
        (#"{"resourceType":"Bundle","type":"collection","entry":[]}"#, 422),
        (#"{"resourceType":"Bundle","type":"transaction","entry":{}}"#, 422),
        (#"[1,2]"#, 422),
        // A non-object entry is a broken Bundle, even in a batch: its good entries are not stored either.
        (bundle("batch", [observation("8867-4", value: 72, unit: "/min"), "null"]), 422),
    ])
    func aBadBundleGetsAnOperationOutcome(body: String, status: Int) throws {
        let server = try TestServer()
        let response = try post(server, body)
        #expect(response.status == status, "\(response.text)")
        #expect(response.string("resourceType") == "OperationOutcome")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
    }

    @Test func otherMediaTypesAre415AndTheScopeIsIngest() throws {
        let server = try TestServer()
        #expect(try post(server, Self.bundle("batch", []), contentType: "text/plain").status == 415)
        let read = try server.client().send("POST", "/fhir", headers: [server.bearer("read"), ("Content-Type", "application/fhir+json")],
                                            body: Array(Self.bundle("batch", []).utf8))
        #expect(read.status == 403)
    }
}
