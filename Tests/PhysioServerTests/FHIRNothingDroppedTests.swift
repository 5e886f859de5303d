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

    /// `< 88 %` is a bound, not a measurement: stored as 88 it would read as
    /// a measured desaturation (HL7 refuses the same).
    @Test func aComparatorIsRefusedAtItsPath() throws {
        let server = try TestServer()
        let response = try post(server, Self.bundle("batch", [
            (Self.observation("59408-5", second: 1, #""valueQuantity":{"value":88,"code":"%","comparator":"<"}"#), Self.create),
            (Self.observation("85354-9", second: 2, #""component":[\#(Self.component("8480-6", #"{"value":60,"code":"mm[Hg]","comparator":"<="}"#)),\#(Self.component("8462-4", #"{"value":40,"code":"mm[Hg]"}"#))]"#), Self.create),
            (Self.observation("8867-4", second: 3, Self.hr), Self.create),
        ]))
        #expect(response.status == 200, "\(response.text)")
        #expect((0..<3).map { status(response, $0) } == ["422 Unprocessable Entity", "422 Unprocessable Entity", "201 Created"], "\(response.text)")
        #expect(expressions(response, 0) == ["Bundle.entry[0].resource.valueQuantity.comparator"])
        #expect(expressions(response, 1) == ["Bundle.entry[1].resource.component[0].valueQuantity.comparator"])
        #expect(diagnostics(response, 0).contains("'<'"))
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 1)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE spo2 IS NOT NULL OR sbp IS NOT NULL OR dbp IS NOT NULL") == 0)
    }

    /// A panel's own value names no vital: refused. A vital component is
    /// read on any Observation. One vital twice with two values is
    /// ambiguous: refused naming both. A component of a code not stored is
    /// named in the 201's outcome; with nothing else stored the entry is
    /// ignored, saying which.
    @Test func everyValueIsStoredRefusedOrNamed() throws {
        let server = try TestServer()
        let mmHg = { (value: Int) in #"{"value":\#(value),"code":"mm[Hg]"}"# }
        let response = try post(server, Self.bundle("batch", [
            (Self.observation("85354-9", second: 1, #""valueQuantity":\#(mmHg(120)),"component":[\#(Self.component("8462-4", mmHg(80)))]"#), Self.create),
            (Self.observation("8867-4", second: 2, #""valueQuantity":{"value":70,"code":"/min"},"component":[\#(Self.component("59408-5", #"{"value":96,"code":"%"}"#))]"#), Self.create),
            (Self.observation("85354-9", second: 3, #""component":[\#(Self.component("8480-6", mmHg(120))),\#(Self.component("8480-6", mmHg(130))),\#(Self.component("8462-4", mmHg(70)))]"#), Self.create),
            (Self.observation("85353-1", second: 4, #""component":[\#(Self.component("8867-4", #"{"value":81,"code":"/min"}"#)),\#(Self.component("29463-7", #"{"value":70,"code":"kg"}"#))]"#), Self.create),
            // The same value twice (ECG and oximeter agree): one value, stored.
            (Self.observation("85353-1", second: 5, #""component":[\#(Self.component("8867-4", #"{"value":64,"code":"/min"}"#)),\#(Self.component("8889-8", #"{"value":64,"code":"/min"}"#))]"#), Self.create),
            (Self.observation("85353-1", second: 6, #""component":[\#(Self.component("29463-7", #"{"value":70,"code":"kg"}"#))]"#), Self.create),
        ]))
        #expect(response.status == 200, "\(response.text)")
        #expect((0..<6).map { status(response, $0) }
                == ["422 Unprocessable Entity", "201 Created", "422 Unprocessable Entity", "201 Created", "201 Created", "200 OK"], "\(response.text)")
        #expect(expressions(response, 0) == ["Bundle.entry[0].resource.valueQuantity"])
        #expect(expressions(response, 2) == ["Bundle.entry[2].resource.component[0].valueQuantity.value",
                                             "Bundle.entry[2].resource.component[1].valueQuantity.value"])
        #expect(diagnostics(response, 2).contains("120") && diagnostics(response, 2).contains("130"))
        #expect(expressions(response, 3) == ["Bundle.entry[3].resource.component[1]"])
        #expect(diagnostics(response, 3).contains("29463-7"))
        #expect(response.withJSON { $0["entry"]?[4]?["response"]?["outcome"]?.kind } == nil)
        #expect(diagnostics(response, 5).contains("29463-7"))
        #expect(response.header("X-Physio-Observations-Ignored") == "1")
        let rows = try server.database.connect().query("SELECT hr, spo2, sbp, dbp FROM vitals ORDER BY ts")
        #expect(rows.rowCount == 3)
        #expect([rows.float(0, 0), rows.float(0, 1), rows.float(1, 0), rows.float(2, 0)] == [70, 96, 81, 64])
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE sbp IS NOT NULL OR dbp IS NOT NULL") == 0)
    }

    /// Only creates are taken (POST, or PUT: an Observation stored by its
    /// case and instant either way); a DELETE is not a create. ifNoneExist
    /// needs nothing: a repeated Observation is a duplicate already.
    @Test func anEntryThatIsNotACreateIsRefused() throws {
        let server = try TestServer()
        let entries: [(resource: String?, request: String)] = [
            (Self.observation("8867-4", second: 1, Self.hr), #"{"method":"DELETE","url":"Observation/abc"}"#),
            (Self.observation("8867-4", second: 2, Self.hr), #"{"method":"POST","url":"Observation","ifNoneExist":"identifier=http://acme.org/obs|123"}"#),
            (Self.observation("8867-4", second: 3, Self.hr), #"{"method":"PUT","url":"Observation/x3"}"#),
            (nil, #"{"method":"GET","url":"Observation/abc"}"#),
        ]
        let transaction = try post(server, Self.bundle("transaction", entries))
        #expect(transaction.status == 422, "\(transaction.text)")
        #expect(transaction.withJSON { $0["issue"]?[0]?["expression"]?[0]?.string } == "Bundle.entry[0].request.method")
        #expect(transaction.withJSON { $0["issue"]?[1]?["expression"]?[0]?.string } == "Bundle.entry[3].request.method")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
        // The same as a batch: the other entries stored.
        let batch = try post(server, Self.bundle("batch", entries))
        #expect((0..<4).map { status(batch, $0) } == ["422 Unprocessable Entity", "201 Created", "201 Created", "422 Unprocessable Entity"], "\(batch.text)")
        #expect(expressions(batch, 0) == ["Bundle.entry[0].request.method"])
        #expect(diagnostics(batch, 0).contains("DELETE"))
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 2)
        let again = try post(server, Self.bundle("batch", [entries[1]]))
        #expect(status(again, 0) == "200 OK" && again.header("X-Physio-Samples-Duplicate") == "1")
    }

    /// effective[x] is a choice (one of them); a period ends after it
    /// starts; FHIR's offsets reach ±14:00.
    @Test func impossibleTimesAreRefused() throws {
        let server = try TestServer()
        let at = { (time: String) in #""subject":{"reference":"Patient/t"},\#(time),\#(Self.hr)"# }
        let resource = { (time: String) in
            #"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},\#(at(time))}"#
        }
        let response = try post(server, Self.bundle("batch", [
            (resource(#""effectiveDateTime":"2026-11-24T12:05:00Z","effectivePeriod":{"start":"2026-11-24T12:06:00Z"}"#), Self.create),
            (resource(#""effectiveInstant":"2026-11-24T12:07:00Z","effectiveDateTime":"2026-11-24T12:08:00Z""#), Self.create),
            (resource(#""effectivePeriod":{"start":"2026-11-24T12:10:00Z","end":"2026-11-24T12:00:00Z"}"#), Self.create),
            (resource(#""effectiveDateTime":"2026-11-24T12:20:00+15:00""#), Self.create),
            (resource(#""effectiveDateTime":"2026-11-24T12:20:00+14:00""#), Self.create),
            (resource(#""effectivePeriod":{"start":"2026-11-24T12:30:00-14:01","end":"2026-11-25T12:00:00Z"}"#), Self.create),
        ]))
        #expect(response.status == 200, "\(response.text)")
        #expect((0..<6).map { status(response, $0) } == ["422 Unprocessable Entity", "422 Unprocessable Entity", "422 Unprocessable Entity",
                                                        "422 Unprocessable Entity", "201 Created", "422 Unprocessable Entity"], "\(response.text)")
        #expect(expressions(response, 0) == ["Bundle.entry[0].resource.effectiveDateTime", "Bundle.entry[0].resource.effectivePeriod"])
        #expect(expressions(response, 1) == ["Bundle.entry[1].resource.effectiveDateTime", "Bundle.entry[1].resource.effectiveInstant"])
        #expect(expressions(response, 2) == ["Bundle.entry[2].resource.effectivePeriod.end"])
        #expect(expressions(response, 3) == ["Bundle.entry[3].resource.effectiveDateTime"])
        #expect(diagnostics(response, 3).contains("+15:00"))
        #expect(expressions(response, 5) == ["Bundle.entry[5].resource.effectivePeriod.start"])
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 1)
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

    /// Vital components on an Observation of another code (LOINC 8716-3, the
    /// older vital-signs panel; a body weight carrying a heart rate) are
    /// stored; the Observation's own value of that code is named, not stored.
    /// An outside review: both were ignored whole.
    @Test func vitalComponentsOfAnotherCodeAreStored() throws {
        let server = try TestServer()
        let response = try post(server, Self.bundle("batch", [
            (Self.observation("8716-3", second: 0, #""component":[\#(Self.component("8867-4", #"{"value":71,"code":"/min"}"#)),\#(Self.component("8480-6", #"{"value":121,"code":"mm[Hg]"}"#))]"#), Self.create),
            (Self.observation("29463-7", second: 1, #""valueQuantity":{"value":70,"code":"kg"},"component":[\#(Self.component("8867-4", #"{"value":73,"code":"/min"}"#))]"#), Self.create),
        ]))
        #expect(response.status == 200, "\(response.text)")
        #expect((0..<2).map { status(response, $0) } == ["201 Created", "201 Created"], "\(response.text)")
        #expect(diagnostics(response, 1).contains("own valueQuantity") && diagnostics(response, 1).contains("not stored"), "\(response.text)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'c' AND hr = 71 AND sbp = 121") == 1)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'c' AND hr = 73") == 1)
        #expect(response.header("X-Physio-Observations-Ignored") == "0")
    }

    /// The ECG's heart rate (8867-4) and the oximeter's (8889-8) for one
    /// instant: the ECG's is stored, as over HL7, and the other entry is told
    /// its value was not (in either order); a review found the transaction
    /// refused whole as a conflict. Each entry answers for what it stored
    /// itself: an outside audit found the first of the two answered `201
    /// Created` and the ECG's "already stored", whichever came first. Two
    /// values of one rank stay a conflict.
    @Test func aHigherRankedSourceOfTheSameInstantIsKept() throws {
        let server = try TestServer()
        let ecg = Self.observation("8867-4", second: 0, Self.hr)
        let oximeter = Self.observation("8889-8", second: 0, #""valueQuantity":{"value":75,"code":"/min"}"#)
        for (index, entries) in [[ecg, oximeter], [oximeter, ecg]].enumerated() {
            let body = Self.bundle("transaction", entries.map { (Optional($0), Self.create) })
                .replacingOccurrences(of: "Patient/c", with: "Patient/rank-\(index)")
            let response = try post(server, body)
            #expect(response.status == 200, "\(response.text)")
            let ecgEntry = index == 0 ? 0 : 1, oximeterEntry = 1 - ecgEntry
            #expect(status(response, ecgEntry) == "201 Created" && status(response, oximeterEntry) == "200 OK", "\(response.text)")
            #expect(diagnostics(response, oximeterEntry).contains("hr 75 /min not stored"), "\(response.text)")
            #expect(expressions(response, oximeterEntry) == ["Bundle.entry[\(oximeterEntry)].resource.valueQuantity.value"], "\(response.text)")
            #expect(response.withJSON { $0["entry"]?[ecgEntry]?["response"]?["outcome"]?.kind } == nil, "\(response.text)")
            #expect([response.header("X-Physio-Samples-Accepted"), response.header("X-Physio-Samples-Duplicate"),
                     response.header("X-Physio-Observations-Ignored")] == ["1", "0", "1"], "\(response.text)")
            #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'rank-\(index)' AND hr = 72") == 1)
        }
        // An oximeter's Observation that also carries SpO2 stores that, and says the rate was not.
        let withSaturation = Self.observation("8889-8", second: 0,
            #""valueQuantity":{"value":75,"code":"/min"},"component":[\#(Self.component("59408-5", #"{"value":96,"code":"%"}"#))]"#)
        let both = try post(server, Self.bundle("transaction", [(withSaturation, Self.create), (ecg, Self.create)])
            .replacingOccurrences(of: "Patient/c", with: "Patient/rank-3"))
        #expect([status(both, 0), status(both, 1)] == ["201 Created", "201 Created"], "\(both.text)")
        #expect(diagnostics(both, 0).contains("hr 75 /min not stored"), "\(both.text)")
        #expect([both.header("X-Physio-Samples-Accepted"), both.header("X-Physio-Samples-Merged"),
                 both.header("X-Physio-Observations-Ignored")] == ["1", "1", "0"], "\(both.text)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'rank-3' AND hr = 72 AND spo2 = 96") == 1)
        let same = Self.observation("8867-4", second: 0, #""valueQuantity":{"value":80,"code":"/min"}"#)
        let conflict = try post(server, Self.bundle("transaction", [(ecg, Self.create), (same, Self.create)]).replacingOccurrences(of: "Patient/c", with: "Patient/rank-2"))
        #expect(conflict.status == 409 || conflict.status == 422, "\(conflict.text)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'rank-2'") == 0)
    }
}
