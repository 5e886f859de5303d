import PhysioClient
import PhysioCore
import PhysioTestSupport
import Testing
import PhysioPlatform

/// Slow and silent clients (slowloris) against a real server: they are cut
/// off by the request deadline while normal clients keep being served.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct SlowClientTests {
    static let sample = #"{"samples":[{"t":1795600000,"hr":70}]}"#

    /// Drips one byte to every socket each `interval` until all are closed by
    /// the server or `seconds` pass; returns when each was seen closed (nil: never).
    static func drip(_ sockets: [RawSocket], interval: Double, seconds: Double) -> [Double?] {
        let start = Clock.monotonicNanos()
        var closedAt = [Double?](repeating: nil, count: sockets.count)
        while closedAt.contains(where: { $0 == nil }) {
            let elapsed = Double(Clock.monotonicNanos() - start) / 1e9
            if elapsed > seconds { break }
            for (index, socket) in sockets.enumerated() where closedAt[index] == nil {
                if !socket.send("a") || socket.isClosedByPeer { closedAt[index] = elapsed }
            }
            Clock.sleep(seconds: interval)
        }
        return closedAt
    }

    static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = Clock.monotonicNanos()
        let value = try body()
        return (value, Double(Clock.monotonicNanos() - start) / 1e9)
    }

    @Test func slowlorisIsCutAtTheDeadlineWhileOthersAreServed() throws {
        let server = try TestServer {
            $0.http.threads = 2
            $0.http.requestDeadlineSeconds = 2
            $0.http.idleTimeoutSeconds = 30  // the deadline alone must do it
        }
        let port = server.port
        // 200 connections trickling their headers, 100 that never send a byte,
        // 20 that sent complete headers and now trickle the body (with a token:
        // a body without one is refused before it is read).
        let headerDrips = try (0..<200).map { _ in
            let socket = try RawSocket(port: port)
            socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            return socket
        }
        let silent = try (0..<100).map { _ in try RawSocket(port: port) }
        let bodyDrips = try (0..<20).map { _ in
            let socket = try RawSocket(port: port)
            socket.send("POST /cases/slow/vitals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(server.tokens["ingest"]!)\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
            return socket
        }
        let opened = Clock.monotonicNanos()

        let dripped = Locked<[Double?]>([])
        let dripping = WaitGroup()
        dripping.add()
        nonisolated(unsafe) let drips = headerDrips + bodyDrips
        startThread {
            let closedAt = Self.drip(drips, interval: 0.1, seconds: 8)
            dripped.withLock { $0 = closedAt }
            dripping.done()
        }

        // Meanwhile an ordinary monitor and a health check are answered at once.
        Clock.sleep(seconds: 0.5)
        let client = server.client()
        let (health, healthSeconds) = try Self.timed { try client.get("/healthz") }
        #expect(health.status == 200)
        #expect(healthSeconds < 1, "healthz took \(healthSeconds) s")
        let (ingest, ingestSeconds) = try Self.timed { try server.ingest("slow-neighbour", json: Self.sample, client: client) }
        #expect(ingest.status == 200)
        #expect(ingestSeconds < 1, "ingest took \(ingestSeconds) s")

        #expect(dripping.wait(seconds: 15))
        let closedAt = dripped.value
        let sinceOpen = Double(Clock.monotonicNanos() - opened) / 1e9
        #expect(closedAt.allSatisfy { $0 != nil }, "\(closedAt.filter { $0 == nil }.count) dripping connections still open")
        // Deadline 2 s, swept every 0.25 s; opening them all took a moment too.
        let latest = closedAt.compactMap { $0 }.max() ?? 0
        #expect(latest < 3.5, "last dripping connection closed after \(latest) s")
        #expect(latest > 1.5, "closed before the deadline (\(latest) s)")
        let silentOpen = silent.filter { !$0.isClosedByPeer }.count
        #expect(silentOpen == 0, "\(silentOpen) silent connections still open after \(sinceOpen) s")

        // The keep-alive client is still fine, and the cuts are counted.
        #expect(try server.metric("physio_http_request_deadline_closed_total", client: client) ?? 0 >= 320)
        // The body drips were requests in flight: they ended, so a stop is quick.
        let (_, stopSeconds) = Self.timed { server.server.stop() }
        #expect(stopSeconds < 5)
    }

    /// Without the deadline, libmicrohttpd's idle timeout alone is reset by
    /// every byte: this is the gap the deadline closes.
    @Test func idleTimeoutAloneClosesSilentButNotDrippingClients() throws {
        let server = try TestServer {
            $0.http.requestDeadlineSeconds = 0
            $0.http.idleTimeoutSeconds = 1
        }
        let dripping = try (0..<5).map { _ in
            let socket = try RawSocket(port: server.port)
            socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            return socket
        }
        let silent = try RawSocket(port: server.port)
        let closedAt = Self.drip(dripping, interval: 0.2, seconds: 3)
        #expect(closedAt.allSatisfy { $0 == nil }, "a byte every 0.2 s keeps an idle timeout of 1 s from firing")
        #expect(silent.isClosedByPeer)
    }

    /// The deadline bounds receiving a request, not a connection's life:
    /// keep-alive requests and live streams outlast it.
    @Test func keepAliveAndStreamsOutliveTheDeadline() throws {
        let server = try TestServer {
            $0.http.requestDeadlineSeconds = 1
            $0.streamHeartbeatSeconds = 0.5
        }
        #expect(try server.ingest("long", json: Self.sample).status == 200)
        let stream = try EventStreamReader(port: server.port, path: "/cases/long/stream", token: server.tokens["read"]!)
        let keepAlive = try RawSocket(port: server.port)
        for _ in 0..<6 {
            #expect(keepAlive.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
            let reply = String(decoding: keepAlive.read(until: #""ok"}"#, seconds: 2), as: UTF8.self)
            #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply)")
            Clock.sleep(seconds: 0.5)
        }
        #expect(try server.ingest("long", json: #"{"samples":[{"t":1795600001,"hr":71}]}"#).status == 200)
        var sample: EventStreamReader.Event?
        while sample == nil, let event = stream.next(within: 2) {
            if event.name == "sample" { sample = event }
        }
        #expect(stream.status == 200)
        #expect(sample?.data.contains(#""hr":71"#) == true, "the stream, open 3 s with a 1 s deadline, still delivers")
    }

    @Test func oversizedHeadersGet431AndTheServerCarriesOn() throws {
        let server = try TestServer { $0.http.connectionMemoryBytes = 32 << 10 }
        let big = try RawSocket(port: server.port)
        big.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 64 << 10))\r\n\r\n")
        let reply = String(decoding: big.read(until: "\r\n\r\n", seconds: 5), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 431"), "\(reply.prefix(200))")
        let fits = try server.client().get("/healthz", headers: [("X-Pad", String(repeating: "b", count: 8 << 10))])
        #expect(fits.status == 200)
    }

    @Test func perClientLimitRefusesConnectionsOverIt() throws {
        let server = try TestServer { $0.http.perClientConnectionLimit = 4 }
        var held = try (0..<4).map { _ in try RawSocket(port: server.port) }
        // The four accepted first: on a busy machine the server's threads may
        // still be admitting one of them when a fifth arrives, and admit both.
        #expect(waitUntil(seconds: 5) { server.server.openConnections == 4 })
        let extra = try RawSocket(port: server.port)
        extra.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(extra.readUntilClosed(seconds: 3).isEmpty, "the fifth connection from one address is closed unanswered")
        held.removeAll()
        #expect(waitUntil(seconds: 5) { (try? server.client().get("/healthz").status) == 200 })
    }
}
