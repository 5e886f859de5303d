import PhysioClient
import PhysioCore
import PhysioPlatform
import PhysioServer
import PhysioTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// How an Observation names its case and its time, and which units it may
/// use: references as tools write them, identifier-only subjects by the
/// configured rule, effectivePeriod, UCUM conversions, and errors that
/// point at the field that was wrong.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct FHIRReadingTests {
    /// An Observation of `code` with `fields` (JSON members) added.
    static func observation(_ fields: String, code: String = "8867-4",
                            value: String = #""valueQuantity":{"value":72,"system":"http://unitsofmeasure.org","code":"/min"}"#) -> String {
        #"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"\#(code)"}]},\#(value),\#(fields)}"#
    }

    static let time = #""effectiveDateTime":"2026-11-24T10:00:00Z""#

    static func bundle(_ entries: [(resource: String, fullUrl: String?)], type: String = "batch") -> String {
        let items = entries.map { entry in
            let url = entry.fullUrl.map { #""fullUrl":"\#($0)","# } ?? ""
            return #"{\#(url)"resource":\#(entry.resource),"request":{"method":"POST","url":"Observation"}}"#
        }
        return #"{"resourceType":"Bundle","type":"\#(type)","entry":[\#(items.joined(separator: ","))]}"#
    }

    func post(_ server: TestServer, _ body: String) throws -> HTTPClient.Response {
        try server.client().send("POST", "/fhir", headers: [server.bearer("ingest"), ("Content-Type", "application/fhir+json")], body: Array(body.utf8))
    }

    func cases(_ server: TestServer) throws -> [String] {
        let result = try server.database.connect().query("SELECT case_id FROM vitals ORDER BY case_id")
        return (0..<result.rowCount).map { result.string($0, 0)! }
    }

    func entry(_ response: HTTPClient.Response, _ index: Int) -> (status: String?, expression: String?, diagnostics: String?) {
        (response.withJSON { $0["entry"]?[index]?["response"]?["status"]?.string },
         response.withJSON { $0["entry"]?[index]?["response"]?["outcome"]?["issue"]?[0]?["expression"]?[0]?.string },
         response.withJSON { $0["entry"]?[index]?["response"]?["outcome"]?["issue"]?[0]?["diagnostics"]?.string })
    }

    @Test func referencesResolveAsToolsWriteThem() throws {
        let server = try TestServer()
        let response = try post(server, Self.bundle([
            // The Bundle's own Encounter, by urn:uuid: its id is the case.
            (#"{"resourceType":"Encounter","id":"op-31","status":"in-progress"}"#, "urn:uuid:2b6f0a3e-5c1d-4b7e-9f3a-0c1d2e3f4a5b"),
            (Self.observation(#""encounter":{"reference":"urn:uuid:2b6f0a3e-5c1d-4b7e-9f3a-0c1d2e3f4a5b"},\#(Self.time)"#), nil),
            // An entry without an id: the uuid is the case.
            (#"{"resourceType":"Patient"}"#, "urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7"),
            (Self.observation(#""subject":{"reference":"urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7"},\#(Self.time)"#), nil),
            // A version is not a patient: both are case abc-123, not "2" and "3".
            (Self.observation(#""subject":{"reference":"Patient/abc-123/_history/2"},\#(Self.time)"#), nil),
            (Self.observation(#""subject":{"reference":"Patient/abc-123/_history/3"},\#(Self.time)"#, code: "59408-5", value: #""valueQuantity":{"value":97,"code":"%"}"#), nil),
            // A server base before Type/id.
            (Self.observation(#""encounter":{"reference":"https://ehr.example/fhir/Encounter/op-9/_history/1"},\#(Self.time)"#), nil),
            // Only a device: a monitor without patient context.
            (Self.observation(#""device":{"reference":"Device/monitor-7"},\#(Self.time)"#), nil),
        ]))
        #expect(response.status == 200, "\(response.text)")
        #expect([1, 3, 4, 5, 6, 7].map { entry(response, $0).status } == ["201 Created", "201 Created", "201 Created", "201 Created", "201 Created", "201 Created"])
        #expect(try cases(server) == ["7c9e6679-7425-40de-944b-e07fc1f90ae7", "abc-123", "monitor-7", "op-31", "op-9"])
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'abc-123' AND hr = 72 AND spo2 = 97") == 1)
    }

    @Test func referencesThatNameNoCaseAreRefusedAtTheirField() throws {
        let server = try TestServer()
        let response = try post(server, Self.bundle([
            (Self.observation(#""subject":{"reference":"urn:uuid:00000000-0000-4000-8000-000000000000"},\#(Self.time)"#), nil),
            (Self.observation(##""subject":{"reference":"#p1"},\##(Self.time)"##), nil),
            (Self.observation(#""encounter":{"reference":"Patient/x"},\#(Self.time)"#), nil),
            (Self.observation(#""subject":{"identifier":{"system":"urn:oid:1.2.3","value":"MRN-42"}},\#(Self.time)"#), nil),
            (Self.observation(#""subject":{"reference":"Patient/has:colon"},\#(Self.time)"#), nil),
            (Self.observation(Self.time), nil),
        ]))
        #expect(response.status == 200)
        let expected: [(String, String)] = [
            ("Bundle.entry[0].resource.subject.reference", "not the fullUrl of any entry"),
            ("Bundle.entry[1].resource.subject.reference", "contained resource"),
            ("Bundle.entry[2].resource.encounter.reference", "points at a Patient; this field takes Encounter"),
            ("Bundle.entry[3].resource.subject.identifier", "--fhir-case-identifier 'urn:oid:1.2.3'"),
            ("Bundle.entry[4].resource.subject.reference", "not a case id"),
            ("Bundle.entry[5].resource", "needs an encounter, subject or device"),
        ]
        for (index, (expression, words)) in expected.enumerated() {
            let got = entry(response, index)
            #expect(got.status == "422 Unprocessable Entity" && got.expression == expression, "\(index): \(got)")
            #expect(got.diagnostics?.contains(words) == true, "\(index): \(got)")
        }
        #expect(try cases(server).isEmpty)
    }

    /// Identifier-only subjects name a case for configured systems only:
    /// `--fhir-case-identifier SYSTEM=PREFIX` makes case PREFIX+value.
    @Test func identifierOnlySubjectsFollowTheConfiguredRule() throws {
        let server = try TestServer { $0.fhirCaseIdentifiers = FHIRCaseIdentifiers(parsing: ["urn:oid:1.2.3=mrn-", "https://or.example/bed"])! }
        let response = try post(server, Self.bundle([
            (Self.observation(#""subject":{"identifier":{"system":"urn:oid:1.2.3","value":"42"}},\#(Self.time)"#), nil),
            (Self.observation(#""subject":{"reference":"Patient?identifier=urn:oid:1.2.3|43"},\#(Self.time)"#), nil),
            (Self.observation(#""encounter":{"identifier":{"system":"https://or.example/bed","value":"or-7"}},\#(Self.time)"#), nil),
            (Self.observation(#""subject":{"identifier":{"system":"urn:oid:9.9","value":"42"}},\#(Self.time)"#), nil),
        ]))
        #expect((0..<4).map { entry(response, $0).status } == ["201 Created", "201 Created", "201 Created", "422 Unprocessable Entity"], "\(response.text)")
        #expect(try cases(server) == ["mrn-42", "mrn-43", "or-7"])
        let capability = try server.client().send("GET", "/fhir/metadata")
        #expect(capability.text.contains("identifiers of https://or.example/bed, urn:oid:1.2.3"))
    }

    @Test func theTimeComesFromEffectiveDateTimeInstantOrPeriod() throws {
        let server = try TestServer()
        let response = try post(server, Self.bundle([
            (Self.observation(#""subject":{"reference":"Patient/a"},"effectivePeriod":{"start":"2026-11-24T10:00:00+01:00","end":"2026-11-24T10:05:00+01:00"}"#), nil),
            (Self.observation(#""subject":{"reference":"Patient/b"},"effectivePeriod":{"end":"2026-11-24T09:00:01Z"}"#), nil),
            (Self.observation(#""subject":{"reference":"Patient/c"},"effectiveInstant":"2026-11-24T09:00:02.1234567Z""#), nil),
            (Self.observation(#""subject":{"reference":"Patient/d"},"effectiveDateTime":"2026-11-24T10:00:00""#), nil),
            (Self.observation(#""subject":{"reference":"Patient/e"},"effectiveDateTime":"2026-11""#), nil),
            (Self.observation(#""subject":{"reference":"Patient/f"},"effectiveTiming":{"event":["2026-11-24T10:00:00Z"]}"#), nil),
            (Self.observation(#""subject":{"reference":"Patient/g"},"effectivePeriod":{"start":"2026-11-24"}"#), nil),
        ]))
        #expect((0..<3).map { entry(response, $0).status } == ["201 Created", "201 Created", "201 Created"], "\(response.text)")
        let rows = try server.database.connect().query("SELECT case_id, \(SQLTimeText.micros) FROM vitals ORDER BY case_id")
        #expect((0..<rows.rowCount).map { rows.int64($0, 1) }
                == ["2026-11-24T09:00:00Z", "2026-11-24T09:00:01Z", "2026-11-24T09:00:02.123457Z"].map { Timestamp.parseRFC3339($0) })
        let refused = (3..<7).map { entry(response, $0) }
        #expect(refused.map(\.expression) == ["Bundle.entry[3].resource.effectiveDateTime", "Bundle.entry[4].resource.effectiveDateTime",
                                              "Bundle.entry[5].resource.effectiveTiming", "Bundle.entry[6].resource.effectivePeriod.start"])
        #expect(refused[0].diagnostics?.contains("no time zone") == true)
        #expect(refused[1].diagnostics?.contains("date without a time of day") == true)
        #expect(refused[3].diagnostics?.contains("date without a time of day") == true)
    }

    @Test func ucumConversionsAndUnitErrorsAtTheirField() throws {
        let server = try TestServer()
        let subject = #""subject":{"reference":"Patient/u"},\#(Self.time)"#
        let response = try post(server, Self.bundle([
            (Self.observation(subject, code: "19889-5", value: #""valueQuantity":{"value":4.666,"system":"http://unitsofmeasure.org","code":"kPa"}"#), nil),
            (Self.observation(subject, code: "8480-6", value: #""valueQuantity":{"value":16,"code":"kPa"}"#), nil),
            (Self.observation(subject, code: "59408-5", value: #""valueQuantity":{"value":0.97,"unit":"1"}"#), nil),
            (Self.observation(subject, code: "8310-5", value: #""valueQuantity":{"value":309.75,"code":"K"}"#), nil),
            (Self.observation(subject, code: "8867-4", value: #""valueQuantity":{"value":72,"unit":"bpm"}"#), nil),
            (Self.observation(subject, code: "8867-4", value: #""valueQuantity":{"value":72,"code":"kg"}"#), nil),
            (Self.observation(subject, code: "8867-4", value: #""valueQuantity":{"value":"72","code":"/min"}"#), nil),
            (Self.observation(subject, code: "8867-4", value: #""valueString":"72""#), nil),
        ]))
        #expect((0..<4).map { entry(response, $0).status } == Array(repeating: "201 Created", count: 4), "\(response.text)")
        let row = try server.database.connect().query("SELECT etco2, sbp, spo2, temp FROM vitals WHERE case_id = 'u'")
        #expect(abs(row.float(0, 0)! - 35.0) < 0.01 && abs(row.float(0, 1)! - 120.01) < 0.01)
        #expect(row.float(0, 2) == 97 && abs(row.float(0, 3)! - 36.6) < 0.001)
        #expect((4..<8).map { entry(response, $0).expression } == [
            "Bundle.entry[4].resource.valueQuantity.unit", "Bundle.entry[5].resource.valueQuantity.code",
            "Bundle.entry[6].resource.valueQuantity.value", "Bundle.entry[7].resource"])
    }

    /// LOINC's site-specific temperatures, the oximeter's pulse rate and the
    /// vital-signs panel's components are the vitals they measure (until
    /// 2026-12-06 they were "not recognised", and an oral 39.6 °C never alarmed).
    @Test func siteTemperaturesAndTheOximetersPulseRateAreStored() throws {
        let server = try TestServer()
        let at = { (second: Int) in #""subject":{"reference":"Patient/s"},"effectiveDateTime":"2026-11-24T10:00:0\#(second)Z""# }
        let codes = ["8331-1", "8328-7", "8332-9", "8333-7", "8329-5"]
        let response = try post(server, Self.bundle(codes.enumerated().map { index, code in
            (Self.observation(at(index), code: code, value: #""valueQuantity":{"value":103.3,"code":"[degF]"}"#), nil)
        } + [(Self.observation(at(5), code: "8889-8"), nil),
             // The vital-signs panel, its values in components.
             (Self.observation(at(6), code: "85353-1", value: #""component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"valueQuantity":{"value":81,"code":"/min"}},{"code":{"coding":[{"system":"http://loinc.org","code":"59408-5"}]},"valueQuantity":{"value":88,"code":"%"}}]"#), nil)]))
        #expect((0...6).map { entry(response, $0).status } == Array(repeating: "201 Created", count: 7), "\(response.text)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 's' AND abs(temp - 39.61) < 0.01") == 5)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 's' AND hr = 72") == 1)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 's' AND hr = 81 AND spo2 = 88") == 1)
    }

    /// The CapabilityStatement, an OperationOutcome and a response Bundle,
    /// each as the server writes it, parse as FHIR R4 resources in the
    /// fhir.resources library (R4B models, the same for these three).
    @Test(.enabled(if: PythonScript.isAvailable, "\(PythonScript.skipMessage)"))
    func fhirResourcesReadsWhatTheServerWrites() throws {
        let server = try TestServer()
        let capability = try server.client().send("GET", "/fhir/metadata")
        #expect(capability.status == 200 && capability.header("Content-Type") == "application/fhir+json")
        let outcome = try post(server, Self.bundle([(Self.observation(##""subject":{"reference":"#x"},"effectiveDateTime":"2026""##), nil)], type: "transaction"))
        #expect(outcome.status == 422)
        let answer = try post(server, Self.bundle([(Self.observation(#""subject":{"reference":"Patient/v"},\#(Self.time)"#), nil),
                                                   (Self.observation(#""subject":{"reference":"Patient/v"},"effectiveDateTime":"2026""#), nil)]))
        #expect(answer.status == 200)
        var paths: [String] = []
        for (name, response) in [("capability", capability), ("outcome", outcome), ("bundle", answer)] {
            let path = "/tmp/physio-fhir-\(getpid())-\(name).json"
            guard let file = fopen(path, "wb") else { Issue.record("cannot write \(path)"); return }
            _ = response.body.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
            paths.append(path)
        }
        defer { paths.forEach { unlink($0) } }
        let script = """
            import sys
            from fhir.resources.R4B.capabilitystatement import CapabilityStatement
            from fhir.resources.R4B.operationoutcome import OperationOutcome
            from fhir.resources.R4B.bundle import Bundle
            capability = CapabilityStatement.model_validate_json(open(sys.argv[1]).read())
            assert capability.fhirVersion == '4.0.1' and capability.kind == 'instance', capability
            assert {i.code for i in capability.rest[0].interaction} == {'transaction', 'batch'}
            assert capability.rest[0].resource[0].type == 'Observation'
            outcome = OperationOutcome.model_validate_json(open(sys.argv[2]).read())
            assert [i.expression for i in outcome.issue][:2] == [['Bundle.entry[0].resource.subject.reference'], ['Bundle.entry[0].resource.effectiveDateTime']], outcome
            severities = {'fatal', 'error', 'warning', 'information'}
            types = {'invalid', 'structure', 'required', 'value', 'invariant', 'security', 'login', 'unknown', 'expired', 'forbidden', 'suppressed',
                     'processing', 'not-supported', 'duplicate', 'multiple-matches', 'not-found', 'deleted', 'too-long', 'code-invalid', 'extension',
                     'too-costly', 'business-rule', 'conflict', 'transient', 'lock-error', 'no-store', 'exception', 'timeout', 'incomplete', 'throttled',
                     'informational'}
            bundle = Bundle.model_validate_json(open(sys.argv[3]).read())
            assert bundle.type == 'batch-response' and [e.response.status for e in bundle.entry] == ['201 Created', '422 Unprocessable Entity']
            for issue in outcome.issue + bundle.entry[1].response.outcome.issue:
                assert issue.severity in severities and issue.code in types, issue
            print('ok')
            """
        let output = try PythonScript.run(script, arguments: paths)
        #expect(output.hasSuffix("ok\n"), "\(output)")
    }
}
