import PhysioClient
import PhysioCore
import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

/// A host that boots before its database: `physio serve` comes up anyway,
/// says it is alive but not ready, refuses ingest with Retry-After, and
/// serves (workers included) once the database appears, without a restart.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct StartWithoutDatabaseTests {
    @Test func serveWaitsForItsDatabase() throws {
        let postgres = try PrivatePostgres()
        let database = try TestDatabase.existing(url: postgres.url)
        _ = try TestModels.register(on: database)
        let token = try TokenStore().create(name: "early-monitor", scopes: ["ingest"], on: database.connect()).token
        try postgres.stop()

        let directory = String(try Shell.output("mktemp -d /tmp/physio-early.XXXXXX").filter { $0 != "\n" })
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        let server = try PhysioProcess(["serve", "--port", "0", "--threads", "2", "--workers", "1", "--poll-seconds", "0.2"],
                                       environment: ["PHYSIO_DATABASE_URL": postgres.url, "PHYSIO_ACCESS_LOG": "errors"],
                                       logPath: "\(directory)/serve.log")
        let listening = try #require(server.waitForLog("\"msg\":\"listening\""), "\(server.log)")
        let client = HTTPClient(host: "127.0.0.1", port: UInt16(try #require(PhysioProcess.field("port", in: listening))))
        let body = Array(#"{"samples":[{"t":1795600000,"hr":70},{"t":1795600001,"hr":71}]}"#.utf8)
        let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]

        Clock.sleep(seconds: 1)   // long enough for a process that gives up to have done so
        #expect(try client.get("/healthz").status == 200)
        #expect(try client.get("/readyz").status == 503)
        let early = try client.send("POST", "/cases/early/vitals", headers: headers, body: body)
        #expect(early.status == 503)
        #expect(early.header("Retry-After") != nil)

        try postgres.start()
        var stored: HTTPClient.Response?
        _ = try waitUntil(seconds: 15, every: 0.2) {
            let reply = try client.send("POST", "/cases/early/vitals", headers: headers, body: body)
            if reply.status == 200 { stored = reply; return true }
            #expect(reply.status == 503, "\(reply.text)")
            return false
        }
        #expect(stored?.number("accepted") == 2)
        #expect(try client.get("/readyz").status == 200)
        // The in-process workers connected too: the samples get scored.
        #expect(try database.waitForEmptyQueue(seconds: 30))
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE case_id = 'early'") == 2)
        #expect(server.terminate() == 0)
    }
}
