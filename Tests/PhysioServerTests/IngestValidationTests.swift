import PhysioClient
import PhysioCore
import PhysioTestSupport
import Testing

/// Every kind of bad input gets its status as problem+json and writes nothing.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct IngestValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let path: String
        let contentType: String
        let body: String
        let status: Int
        let mentions: [String]
        var testDescription: String { name }
    }

    static let good = #"{"t":1795600000,"hr":70}"#

    static let cases: [Case] = [
        Case(name: "malformed JSON", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[{"t":1795600000,"hr":70}"#, status: 400, mentions: ["malformed JSON"]),
        Case(name: "malformed NDJSON line", path: "/cases/c/vitals", contentType: "application/x-ndjson",
             body: "\(good)\n{\"t\":1795600001,\n", status: 400, mentions: ["line 2"]),
        Case(name: "wrong type", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[\#(good),{"t":1795600001,"hr":"seventy"}]}"#, status: 422, mentions: ["samples[1].hr", "/samples/1/hr"]),
        Case(name: "unknown field", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[{"t":1795600000,"hr":70,"pulse":70}]}"#, status: 422, mentions: ["samples[0].pulse"]),
        Case(name: "unknown top-level field", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[\#(good)],"patient":"x"}"#, status: 422, mentions: ["patient"]),
        Case(name: "missing t", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[\#(good),\#(good),{"hr":70}]}"#, status: 422, mentions: ["samples[2].t"]),
        Case(name: "unparseable t", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[{"t":"24/11/2026 10:00","hr":70}]}"#, status: 422, mentions: ["samples[0].t", "RFC 3339"]),
        Case(name: "impossible date", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[{"t":"2026-02-30T10:00:00Z","hr":70}]}"#, status: 422, mentions: ["samples[0].t"]),
        Case(name: "no vital", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[{"t":1795600000,"hr":null}]}"#, status: 422, mentions: ["at least one vital"]),
        Case(name: "HR out of range", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[\#(good),{"t":1795600001,"hr":400}]}"#, status: 422, mentions: ["samples[1].hr", "0–350"]),
        Case(name: "SpO2 out of range", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[{"t":1795600000,"spo2":101}]}"#, status: 422, mentions: ["samples[0].spo2"]),
        Case(name: "temperature out of range", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[{"t":1795600000,"temp":0}]}"#, status: 422, mentions: ["samples[0].temp", "20–45"]),
        Case(name: "samples not an array", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":{"t":1795600000}}"#, status: 422, mentions: ["array"]),
        Case(name: "bad case id", path: "/cases/bad%20id!/vitals", contentType: "application/json",
             body: #"{"samples":[\#(good)]}"#, status: 400, mentions: ["[A-Za-z0-9._-]{1,64}"]),
        // A URL's dot-segments: a dashboard could neither show nor acknowledge such a case.
        Case(name: "case id ..", path: "/cases/../vitals", contentType: "application/json",
             body: #"{"samples":[\#(good)]}"#, status: 400, mentions: ["not . or .."]),
        Case(name: "case id .", path: "/cases/./vitals", contentType: "application/json",
             body: #"{"samples":[\#(good)]}"#, status: 400, mentions: ["not . or .."]),
        Case(name: "case id too long", path: "/cases/\(String(repeating: "a", count: 65))/vitals", contentType: "application/json",
             body: #"{"samples":[\#(good)]}"#, status: 400, mentions: ["case id"]),
        Case(name: "wrong content type", path: "/cases/c/vitals", contentType: "text/csv",
             body: "t,hr\n1795600000,70\n", status: 415, mentions: ["application/json"]),
        Case(name: "too many samples", path: "/cases/c/vitals", contentType: "application/json",
             body: #"{"samples":[\#(Array(repeating: good, count: 11).joined(separator: ","))]}"#, status: 413, mentions: ["at most 10"]),
    ]

    @Test(arguments: cases)
    func badInputIsRejectedAndChangesNothing(_ bad: Case) throws {
        let server = try TestServer { $0.maxSamplesPerRequest = 10 }
        let response = try server.client().send("POST", bad.path,
            headers: [server.bearer("ingest"), ("Content-Type", bad.contentType)], body: Array(bad.body.utf8))
        #expect(response.status == bad.status, "\(response.text)")
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.number("status") == Double(bad.status))
        for fragment in bad.mentions { #expect(response.text.contains(fragment), "\(response.text) should mention \(fragment)") }
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs") == 0)
    }

    @Test func bodyOverTheLimitGets413() throws {
        let server = try TestServer { $0.http.maxBodyBytes = 4096 }
        let samples = (0..<200).map { #"{"t":\#(1_795_600_000 + $0),"hr":70}"# }.joined(separator: ",")
        let response = try server.ingest("big", json: #"{"samples":[\#(samples)]}"#)
        #expect(response.status == 413)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
    }

    @Test func unknownRouteIs404AndWrongMethodIs405WithAllow() throws {
        let server = try TestServer()
        let client = server.client()
        let missing = try client.get("/nowhere", headers: [server.bearer("all")])
        #expect(missing.status == 404)
        #expect(missing.header("Content-Type") == "application/problem+json")
        let wrong = try client.send("DELETE", "/cases/c/vitals", headers: [server.bearer("all")])
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow")?.contains("POST") == true)
    }

    @Test func theNextRequestOnTheConnectionStillWorksAfterAnError() throws {
        let server = try TestServer()
        let client = server.client()
        #expect(try server.ingest("c", json: "{", client: client).status == 400)
        #expect(try server.ingest("c", json: #"{"samples":[\#(Self.good)]}"#, client: client).status == 200)
    }
}
