import PhysioClient
import PhysioStore
import PhysioCore
import PhysioHTTP
import PhysioPlatform
import PhysioTestSupport
import Testing

/// Samples of one instant sent separately (one parameter per message, as
/// monitors and interface engines send them) merge into one row; nothing
/// sent is dropped without being named in the reply.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct MergeTests {
    static let t = "2026-11-24T10:00:00Z"

    func row(_ server: TestServer, _ caseID: String) throws -> [String?] {
        let result = try server.database.connect().query("SELECT hr, spo2, sbp, rr FROM vitals WHERE case_id = $1", [caseID])
        #expect(result.rowCount == 1)
        return (0..<4).map { result.string(0, $0) }
    }

    func counts(_ response: HTTPClient.Response) -> [Double?] {
        ["accepted", "merged", "duplicates", "conflicts"].map { response.number($0) }
    }

    @Test func aSecondMessageOfTheSameInstantFillsItsEmptyVitals() throws {
        let server = try TestServer()
        #expect(counts(try server.ingest("split", json: #"{"samples":[{"t":"\#(Self.t)","hr":72}]}"#)) == [1, 0, 0, 0])
        let second = try server.ingest("split", json: #"{"samples":[{"t":"\#(Self.t)","spo2":97}]}"#)
        #expect(second.status == 200)
        #expect(counts(second) == [0, 1, 0, 0])
        #expect(try row(server, "split") == ["72", "97", nil, nil])
        // The filled row is queued to be scored again; the case still has one sample.
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs WHERE case_id = 'split'") == 2)
        #expect(try server.database.scalar("SELECT samples || '/' || merged FROM cases WHERE case_id = 'split'") == "1/1")
    }

    @Test func aDifferentValueIsAConflictKeptAsFirstStoredAndNamed() throws {
        let server = try TestServer()
        _ = try server.ingest("clash", json: #"{"samples":[{"t":"\#(Self.t)","hr":72}]}"#)
        let response = try server.ingest("clash", json: #"{"samples":[{"t":1795600000,"hr":80},{"t":"\#(Self.t)","hr":75,"spo2":96}]}"#)
        #expect(response.status == 200)
        #expect(counts(response) == [1, 0, 0, 1])
        #expect(response.withJSON { $0["conflicting"]?.count } == 1)
        #expect(response.withJSON { $0["conflicting"]?[0]?["index"]?.number } == 1)
        #expect(response.withJSON { $0["conflicting"]?[0]?["t"]?.string } == Self.t)
        // A monitor's ingest-only token is told what it sent, not what is stored:
        // it must not read stored values back by sending guesses.
        #expect(response.withJSON { $0["conflicting"]?[0]?["fields"]?["hr"]?["stored"] } == nil)
        #expect(response.withJSON { $0["conflicting"]?[0]?["fields"]?["hr"]?["sent"]?.number } == 75)
        #expect(response.withJSON { $0["conflicting"]?[0]?["fields"]?["spo2"] } == nil)
        // A token that may read is told the value kept.
        let reader = try TokenStore().create(name: "ingest-and-read", scopes: ["ingest", "read"], on: server.database.connect()).token
        let again = try server.client().send("POST", "/cases/clash/vitals", headers: [("Authorization", "Bearer \(reader)"), ("Content-Type", "application/json")],
                                             body: Array(#"{"samples":[{"t":"\#(Self.t)","hr":76}]}"#.utf8))
        #expect(again.withJSON { $0["conflicting"]?[0]?["fields"]?["hr"]?["stored"]?.number } == 72)
        #expect(again.withJSON { $0["conflicting"]?[0]?["fields"]?["hr"]?["sent"]?.number } == 76)
        // The stored HR stays; the SpO2 the same sample brought is stored.
        let result = try server.database.connect().query("SELECT hr, spo2 FROM vitals WHERE case_id = 'clash' AND ts = $1", [Self.t])
        #expect(result.string(0, 0) == "72" && result.string(0, 1) == "96")
    }

    @Test func anExactRepeatIsADuplicateAndQueuesNothing() throws {
        let server = try TestServer()
        _ = try server.ingest("again", json: #"{"samples":[{"t":"\#(Self.t)","hr":72,"spo2":97}]}"#)
        #expect(counts(try server.ingest("again", json: #"{"samples":[{"t":"\#(Self.t)","spo2":97}]}"#)) == [0, 0, 1, 0])
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs WHERE case_id = 'again'") == 1)
    }

    /// Within one request, samples of one instant merge in the order sent.
    @Test func samplesOfOneInstantInOneBatchMergeInOrder() throws {
        let server = try TestServer()
        let body = """
            {"t":"\(Self.t)","hr":72}
            {"t":"\(Self.t)","spo2":97}
            {"t":"\(Self.t)","hr":72}
            {"t":"\(Self.t)","hr":80,"rr":14}
            {"t":"2026-11-24T10:00:01Z","hr":73}
            """
        let response = try server.client().send("POST", "/cases/inner/vitals",
            headers: [server.bearer("ingest"), ("Content-Type", "application/x-ndjson")], body: Array(body.utf8))
        #expect(response.status == 200, "\(response.text)")
        #expect(counts(response) == [2, 1, 1, 1])
        #expect(response.withJSON { $0["conflicting"]?[0]?["index"]?.number } == 3)
        let result = try server.database.connect().query("SELECT hr, spo2, rr FROM vitals WHERE case_id = 'inner' ORDER BY ts")
        #expect(result.rowCount == 2)
        #expect((0..<3).map { result.string(0, $0) } == ["72", "97", "14"])
        // Two new instants in one job, as for any batch.
        #expect(try server.database.scalar("SELECT string_agg(samples::text, ',') FROM inference_jobs WHERE case_id = 'inner'") == "2")
    }

    /// Requests committed together (group commit) merge in arrival order too.
    @Test func concurrentMessagesOfOneInstantAllLand() throws {
        let server = try TestServer()
        let vitals = ["hr": 71, "sbp": 118, "dbp": 61, "mbp": 80, "spo2": 97, "rr": 14, "etco2": 35, "temp": 37]
        let done = WaitGroup()
        let answers = Locked<[Double]>([])
        for second in 0..<20 {
            for (name, value) in vitals {
                done.add()
                startThread {
                    defer { done.done() }
                    let body = #"{"samples":[{"t":\#(1_795_600_000 + second),"\#(name)":\#(value)}]}"#
                    if let response = try? server.ingest("many", json: body), response.status == 200 {
                        answers.withLock { $0.append((response.number("accepted") ?? 0) + (response.number("merged") ?? 0)) }
                    }
                }
            }
        }
        #expect(done.wait(seconds: 60))
        #expect(answers.value.count == 160)
        #expect(answers.value.allSatisfy { $0 == 1 }, "every message stored something")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'many'") == 20)
        #expect(try server.database.count("""
            SELECT count(*) FROM vitals WHERE case_id = 'many'
            AND (hr, sbp, dbp, mbp, spo2, rr, etco2, temp) = (71, 118, 61, 80, 97, 14, 35, 37)
            """) == 20)
        #expect(try server.database.scalar("SELECT samples FROM cases WHERE case_id = 'many'") == "20")
    }

    /// A read answered from memory before a merge is not answered again after it.
    @Test func readsSeeAMergedVital() throws {
        let server = try TestServer()
        let client = server.client()
        _ = try server.ingest("reread", json: #"{"samples":[{"t":"\#(Self.t)","hr":72}]}"#)
        func read() throws -> HTTPClient.Response {
            try client.send("GET", "/cases/reread/vitals", headers: [server.bearer("read")])
        }
        #expect(try read().withJSON { $0["samples"]?[0]?["spo2"] } == nil)
        #expect(try read().withJSON { $0["samples"]?[0]?["spo2"] } == nil)
        _ = try server.ingest("reread", json: #"{"samples":[{"t":"\#(Self.t)","spo2":95}]}"#)
        #expect(try read().withJSON { $0["samples"]?[0]?["spo2"]?.number } == 95)
    }
}
