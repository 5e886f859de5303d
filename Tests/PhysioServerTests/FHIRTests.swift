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
        // Per Observation: the first makes the instant, the six others merge into it.
        #expect(response.header("X-Physio-Samples-Accepted") == "1")
        #expect(response.header("X-Physio-Samples-Merged") == "6")
        // The weight; the Patient is no Observation.
        #expect(response.header("X-Physio-Observations-Ignored") == "1")
        let row = try server.database.connect().query("SELECT hr, spo2, sbp, dbp, mbp, rr, temp, etco2 FROM vitals WHERE case_id = 'op-12'")
        #expect(row.rowCount == 1)
        #expect((0..<6).map { row.float(0, $0)! } == [72, 98, 118, 61, 80, 14])
        #expect(abs(row.float(0, 6)! - 36.5) < 0.01)
        #expect(abs(row.float(0, 7)! - 35.0) < 0.01)
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs WHERE case_id = 'op-12'") == 1)
        // The same Bundle again stores nothing twice.
        let again = try post(server, body)
        #expect(again.header("X-Physio-Samples-Duplicate") == "7")
        #expect(again.withJSON { $0["entry"]?[0]?["response"]?["status"]?.string } == "200 OK")
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs WHERE case_id = 'op-12'") == 1)
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
            Self.observation("8310-5", value: 36.6, unit: "mL"),
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

    /// HR and SpO2 of one instant in two Bundles: the second fills the
    /// instant and is answered 201 because its value was stored.
    @Test func observationsOfOneInstantInTwoBundlesMerge() throws {
        let server = try TestServer()
        #expect(try post(server, Self.bundle("transaction", [Self.observation("8867-4", value: 72, unit: "/min")])).status == 200)
        let second = try post(server, Self.bundle("transaction", [Self.observation("59408-5", value: 97, unit: "%")]))
        #expect(second.status == 200, "\(second.text)")
        #expect(second.withJSON { $0["entry"]?[0]?["response"]?["status"]?.string } == "201 Created")
        #expect(second.header("X-Physio-Samples-Merged") == "1")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-12' AND hr = 72 AND spo2 = 97") == 1)
    }

    /// Two HR values of one instant in a batch: the first is stored, the
    /// second answered 409 naming the field, the stored value and where it was sent.
    @Test func aConflictingObservationInABatchIs409AndTheFirstIsKept() throws {
        let server = try TestServer()
        let response = try post(server, Self.bundle("batch", [
            Self.observation("8867-4", value: 72, unit: "/min"),
            Self.observation("8867-4", value: 75, unit: "/min"),
            Self.observation("59408-5", value: 97, unit: "%"),
        ]))
        #expect(response.status == 200)
        let statuses = (0..<3).map { index in response.withJSON { $0["entry"]?[index]?["response"]?["status"]?.string } }
        #expect(statuses == ["201 Created", "409 Conflict", "201 Created"])
        #expect(response.withJSON { $0["entry"]?[1]?["response"]?["outcome"]?["issue"]?[0]?["code"]?.string } == "conflict")
        #expect(response.withJSON { $0["entry"]?[1]?["response"]?["outcome"]?["issue"]?[0]?["expression"]?[0]?.string }
                == "Bundle.entry[1].resource.valueQuantity.value")
        #expect(response.header("X-Physio-Samples-Conflict") == "1")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-12' AND hr = 72 AND spo2 = 97") == 1)
    }

    /// Each ignored entry says which code or status and where; codings that
    /// name two vitals are refused, not read as the first; LOINC by its OID is LOINC.
    @Test func ignoredEntriesNameTheirCodeAndTwoVitalCodingsAreRefused() throws {
        let server = try TestServer()
        let twoVitals = Self.observation("8867-4", value: 72, unit: "/min")
            .replacingOccurrences(of: #""code":"8867-4"}]"#, with: #""code":"8867-4"},{"system":"http://loinc.org","code":"59408-5"}]"#)
        let response = try post(server, Self.bundle("batch", [
            twoVitals,
            Self.observation("29463-7", value: 70, unit: "kg"),
            Self.observation("8867-4", value: 73, unit: "/min", status: "cancelled"),
            Self.observation("8867-4", system: "urn:oid:2.16.840.1.113883.6.1", value: 74, unit: "/min"),
        ]))
        #expect(response.status == 200, "\(response.text)")
        func entry(_ index: Int, _ field: String) -> String? {
            response.withJSON { $0["entry"]?[index]?["response"]?[field]?.string }
        }
        func issue(_ index: Int, _ field: String) -> String? {
            response.withJSON {
                field == "expression" ? $0["entry"]?[index]?["response"]?["outcome"]?["issue"]?[0]?["expression"]?[0]?.string
                                      : $0["entry"]?[index]?["response"]?["outcome"]?["issue"]?[0]?[field]?.string
            }
        }
        #expect(entry(0, "status") == "422 Unprocessable Entity" && issue(0, "expression") == "Bundle.entry[0].resource.code.coding", "\(response.text)")
        #expect(entry(1, "status") == "200 OK" && issue(1, "expression") == "Bundle.entry[1].resource.code")
        #expect(issue(1, "diagnostics")?.contains("29463-7") == true, "\(response.text)")
        #expect(entry(2, "status") == "200 OK" && issue(2, "expression") == "Bundle.entry[2].resource.status")
        #expect(entry(3, "status") == "201 Created", "\(response.text)")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 1)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 74 AND spo2 IS NULL") == 1)
    }

    /// An entry whose one value conflicts but whose other values were empty
    /// stored those: `201 Created`, the conflicting value a warning at its
    /// path (a 409 would tell the client nothing of it was stored).
    @Test func aConflictingEntryThatFilledEmptyVitalsIsCreatedWithAWarning() throws {
        let server = try TestServer()
        #expect(try post(server, Self.bundle("batch", [Self.observation("8480-6", value: 118, unit: "mm[Hg]")])).status == 200)
        let panel = #"[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"code":"mm[Hg]"}},{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":61,"code":"mm[Hg]"}}]"#
        let response = try post(server, Self.bundle("batch", [Self.observation("85354-9", components: panel)]))
        #expect(response.status == 200, "\(response.text)")
        #expect(response.withJSON { $0["entry"]?[0]?["response"]?["status"]?.string } == "201 Created", "\(response.text)")
        #expect(response.withJSON { $0["entry"]?[0]?["response"]?["outcome"]?["issue"]?[0]?["severity"]?.string } == "warning")
        #expect(response.withJSON { $0["entry"]?[0]?["response"]?["outcome"]?["issue"]?[0]?["code"]?.string } == "conflict")
        #expect(response.withJSON { $0["entry"]?[0]?["response"]?["outcome"]?["issue"]?[0]?["expression"]?[0]?.string }
                == "Bundle.entry[0].resource.component[0].valueQuantity.value")
        #expect(response.header("X-Physio-Samples-Conflict") == "1")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-12' AND sbp = 118 AND dbp = 61") == 1)
        // Nothing new in it: still 409.
        let again = try post(server, Self.bundle("batch", [Self.observation("85354-9", components: panel)]))
        #expect(again.withJSON { $0["entry"]?[0]?["response"]?["status"]?.string } == "409 Conflict", "\(again.text)")
    }

    /// A transaction is all or nothing: a value that conflicts with a stored
    /// one refuses the whole Bundle (409), and none of its entries is stored.
    @Test func aTransactionWithAConflictIsRefusedWhole() throws {
        let server = try TestServer()
        #expect(try post(server, Self.bundle("batch", [Self.observation("8867-4", value: 72, unit: "/min")])).status == 200)
        let response = try post(server, Self.bundle("transaction", [
            Self.observation("59408-5", value: 97, unit: "%"),
            Self.observation("85354-9", components: Self.bloodPressure),
            Self.observation("8867-4", value: 90, unit: "/min"),
            Self.observation("8867-4", value: 60, unit: "/min", time: "2026-11-24T10:00:01Z"),
        ]))
        #expect(response.status == 409, "\(response.text)")
        #expect(response.string("resourceType") == "OperationOutcome")
        #expect(response.withJSON { $0["issue"]?[0]?["code"]?.string } == "conflict")
        #expect(response.withJSON { $0["issue"]?[0]?["expression"]?[0]?.string } == "Bundle.entry[2].resource.valueQuantity.value")
        // An ingest-only token is not told the stored value (it could read values back by guessing).
        let diagnostics = response.withJSON { $0["issue"]?[0]?["diagnostics"]?.string } ?? ""
        #expect(diagnostics.contains("has a stored value") && !diagnostics.contains("72"), "\(diagnostics)")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 1)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE spo2 IS NOT NULL OR sbp IS NOT NULL") == 0)
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs") == 1)
    }

    @Test func otherMediaTypesAre415AndTheScopeIsIngest() throws {
        let server = try TestServer()
        #expect(try post(server, Self.bundle("batch", []), contentType: "text/plain").status == 415)
        let read = try server.client().send("POST", "/fhir", headers: [server.bearer("read"), ("Content-Type", "application/fhir+json")],
                                            body: Array(Self.bundle("batch", []).utf8))
        #expect(read.status == 403)
    }
}
