import PhysioClient
import PhysioCore
import PhysioTestSupport
import Testing
import PhysioPlatform

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ResilienceTests {
    static let body = #"{"samples":[{"t":1795600000,"hr":70},{"t":1795600001,"hr":71}]}"#

    /// A stop while a request waits for its commit lets that request finish.
    @Test func gracefulStopFinishesAnInFlightRequest() throws {
        let server = try TestServer()
        let blocker = try server.database.connect()
        try blocker.execute("BEGIN; LOCK TABLE vitals IN ACCESS EXCLUSIVE MODE")

        let reply = Locked<HTTPClient.Response?>(nil)
        let requestDone = WaitGroup()
        requestDone.add()
        let port = server.port, token = server.tokens["ingest"]!
        startThread {
            let client = HTTPClient(host: "127.0.0.1", port: port)
            let response = try? client.send("POST", "/cases/inflight/vitals",
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")], body: Array(Self.body.utf8))
            reply.withLock { $0 = response }
            requestDone.done()
        }
        // Wait until the commit is blocked on the lock: the request is in flight.
        let watcher = try server.database.connect()
        #expect(try waitUntil(seconds: 10) {
            try watcher.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'physio-ingest' AND wait_event_type = 'Lock'").int(0, 0) == 1
        })
        let stopped = WaitGroup()
        stopped.add()
        startThread { server.server.stop(); stopped.done() }
        #expect(!stopped.wait(seconds: 0.5), "stop must wait for the in-flight request")
        // Meanwhile a new connection is closed unanswered (once the stop has
        // begun: on a loaded machine its thread may not have run yet).
        #expect(waitUntil(seconds: 10) { server.server.isStopping })
        let late = HTTPClient(host: "127.0.0.1", port: port, timeoutSeconds: 5)
        #expect((try? late.get("/healthz")) == nil, "a stopping server takes no new requests")
        try blocker.execute("COMMIT")
        #expect(requestDone.wait(seconds: 10))
        #expect(stopped.wait(seconds: 10))
        #expect(reply.value?.status == 200)
        #expect(reply.value?.number("accepted") == 2)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'inflight'") == 2)
    }

    /// PostgreSQL stopped: 503 problem+json with Retry-After, no crash; started
    /// again: requests succeed without restarting the server.
    @Test func databaseOutageGives503AndRecoversByItself() throws {
        let postgres = try PrivatePostgres()
        let server = try TestServer(database: TestDatabase.existing(url: postgres.url))
        let client = server.client()
        #expect(try server.ingest("outage", json: Self.body, client: client).status == 200)
        #expect(try client.get("/metrics", headers: [server.bearer("read")]).status == 200)

        try postgres.stop()
        let down = try server.ingest("outage", json: #"{"samples":[{"t":1795600002,"hr":72}]}"#, client: client)
        #expect(down.status == 503)
        #expect(down.header("Retry-After") != nil)
        #expect(down.header("Content-Type") == "application/problem+json")
        // A token the server has not seen cannot be checked now: 503 from the
        // headers, before the 8-MB body it declares (which it never sends).
        let socket = try RawSocket(port: server.port)
        socket.send("POST /cases/outage/vitals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer phy_\(String(repeating: "Q", count: 43))\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 8000000\r\n\r\n{\"samples\":[")
        let unknown = String(decoding: socket.readUntilClosed(seconds: 10), as: UTF8.self)
        #expect(unknown.hasPrefix("HTTP/1.1 503") && unknown.contains("application/problem+json"), "\(unknown.prefix(200))")
        let notReady = try client.get("/readyz")
        #expect(notReady.status == 503)
        #expect(try client.get("/healthz").status == 200)
        // The scraper's token, checked before, still reads /metrics, which
        // needs no database, after its cached answer's 5 s: the outage shows.
        Clock.sleep(seconds: 5.5)
        let metrics = try client.get("/metrics", headers: [server.bearer("read")])
        #expect(metrics.status == 200 && metrics.text.contains("physio_database_up 0"), "\(metrics.status) \(metrics.text.prefix(300))")

        try postgres.start()
        let up = try server.ingest("outage", json: #"{"samples":[{"t":1795600002,"hr":72}]}"#, client: client)
        #expect(up.status == 200, "\(up.text)")
        #expect(up.number("accepted") == 1)
        #expect(try client.get("/readyz").status == 200)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'outage'") == 3)
    }
}
