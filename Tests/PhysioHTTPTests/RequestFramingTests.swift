import CZlib  // probe
import PhysioPlatform
import PhysioHTTP
import PhysioTestSupport
import Testing

/// How the server frames and decodes request bodies, over raw sockets
/// against a real listening server: compressed bodies are inflated within
/// the body limit, and what cannot be framed is answered at once.
struct RequestFramingTests {
    static let limit = 64 << 10

    /// A server whose one route echoes the (decoded) body it was given.
    static func echoServer(deadlineSeconds: Int = 60, connectionLimit: Int = 2048, maxBodyBytes: Int = limit) throws -> HTTPServer {
        var configuration = HTTPConfiguration()
        configuration.port = 0
        configuration.threads = 2
        configuration.accessLog = .off
        configuration.maxBodyBytes = maxBodyBytes
        configuration.requestDeadlineSeconds = deadlineSeconds
        configuration.connectionLimit = connectionLimit
        let echo = Route("POST", "/echo", scope: nil) { request in
            .now(Response(status: 200, contentType: "application/octet-stream", body: request.body))
        }
        let server = HTTPServer(configuration: configuration, router: Router(routes: [echo], authorize: { _ in nil }))
        try server.start()
        return server
    }

    /// zlib's own encoders: 15 + 16 gzip, 15 zlib (RFC 1950), -15 raw deflate (RFC 1951).
    static func compress(_ input: [UInt8], windowBits: Int32) -> [UInt8] {
        var stream = z_stream()
        deflateInit2_(&stream, 9, Z_DEFLATED, windowBits, 9, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
        let count = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { out -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = UInt32(source.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                deflate(&stream, Z_FINISH)
                return out.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<count])
    }

    static func post(_ headers: String, _ body: [UInt8] = [], to port: UInt16) throws -> RawSocket {
        let socket = try RawSocket(port: port)
        socket.send(Array("POST /echo HTTP/1.1\r\nHost: x\r\n\(headers)\r\n".utf8) + body)
        return socket
    }

    /// Status line, headers and body of the first answer on `socket`.
    static func answer(_ socket: RawSocket, seconds: Double = 5) -> (status: Int, head: String, body: [UInt8], closed: Bool) {
        let bytes = socket.readUntilClosed(seconds: seconds)
        let separator = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator }) else {
            return (0, String(decoding: bytes, as: UTF8.self), [], socket.isClosedByPeer)
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, head, Array(bytes[(end + 4)...]), socket.isClosedByPeer)
    }

    static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = Clock.monotonicNanos()
        let value = try body()
        return (value, Double(Clock.monotonicNanos() - start) / 1e9)
    }

    let text = Array(String(repeating: #"{"samples":[{"t":1795600000,"hr":70}]}"#, count: 200).utf8)

    @Test(arguments: [("gzip", Int32(31)), ("x-gzip", Int32(31)), ("deflate", Int32(15)), ("deflate", Int32(-15)), ("GZIP, identity", Int32(31))] as [(String, Int32)])
    func compressedBodiesAreInflated(coding: String, windowBits: Int32) throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let body = Self.compress(text, windowBits: windowBits)
        let reply = Self.answer(try Self.post("Content-Encoding: \(coding)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n", body, to: server.port))
        #expect(reply.status == 200, "\(reply.head)")
        #expect(reply.body == text)
    }

    @Test func concatenatedGzipMembersAreOneBody() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let body = Self.compress(Array(text[..<100]), windowBits: 31) + Self.compress(Array(text[100...]), windowBits: 31)
        let reply = Self.answer(try Self.post("Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n",
                                              Array("\(String(body.count, radix: 16))\r\n".utf8) + body + Array("\r\n0\r\n\r\n".utf8),
                                              to: server.port))
        #expect(reply.status == 200)
        #expect(reply.body == text)
    }

    /// 100 MiB of zeros, about 100 KB compressed: inflated only up to the
    /// body limit, then 413 (the decoded body is never held past the limit).
    @Test func aDecompressionBombGets413() throws {
        let limit = 1 << 20
        let server = try Self.echoServer(maxBodyBytes: limit)
        defer { server.stop() }
        let bomb = Self.compress([UInt8](repeating: 0, count: 100 << 20), windowBits: 31)
        #expect(bomb.count < limit)
        let reply = Self.answer(try Self.post("Content-Encoding: gzip\r\nContent-Length: \(bomb.count)\r\n", bomb, to: server.port))
        #expect(reply.status == 413)
        #expect(String(decoding: reply.body, as: UTF8.self).contains("inflates to more than \(limit) bytes"))
        #expect(reply.head.contains("application/problem+json"))
    }

    @Test(arguments: ["0123456789abcdef", "truncated"])
    func undecodableBodiesGet400(kind: String) throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let body = kind == "truncated" ? Array(Self.compress(text, windowBits: 31).prefix(20)) : Array(kind.utf8)
        let reply = Self.answer(try Self.post("Content-Encoding: gzip\r\nContent-Length: \(body.count)\r\nConnection: close\r\n", body, to: server.port))
        #expect(reply.status == 400)
        #expect(String(decoding: reply.body, as: UTF8.self).contains("cannot be decoded as its Content-Encoding says"))
    }

    /// Refused from the headers alone, before the body: the client is not
    /// left waiting, and the connection is closed.
    @Test(arguments: [
        ("Content-Encoding: br\r\nContent-Length: 10\r\n", 415),
        ("Content-Encoding: gzip, br\r\nContent-Length: 10\r\n", 415),
        ("Content-Length: 10\r\nContent-Length: 12\r\n", 400),
        ("Content-Length: 10\r\nContent-Length: 10\r\n", 400),
        ("Transfer-Encoding: chunked\r\nContent-Length: 10\r\n", 400),
        ("Transfer-Encoding: gzip\r\n", 501),
        ("Transfer-Encoding: gzip, chunked\r\n", 501),
        // Whitespace before the colon (RFC 9112 §5.1): libmicrohttpd kept the
        // name with its space, and until 2026-12-07 the body went unframed.
        ("Content-Length : 10\r\n", 400),
        ("Content-Length : 10\r\nTransfer-Encoding: chunked\r\n", 400),
        ("Transfer-Encoding : chunked\r\n", 400),
        ("Content-Length: 10\r\nX-Note\t: y\r\n", 400),
    ] as [(String, Int)])
    func unframeableRequestsAreAnsweredAtOnce(headers: String, status: Int) throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let socket = try Self.post(headers, Array("01234".utf8), to: server.port)  // less body than declared
        let (reply, seconds) = Self.timed { Self.answer(socket) }
        #expect(reply.status == status, "\(reply.head)")
        #expect(reply.closed)
        #expect(seconds < 2, "answered after \(seconds) s")
        #expect(reply.head.contains("application/problem+json"))
        if status == 415 { #expect(reply.head.contains("Accept-Encoding: gzip, deflate")) }
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request with no Host, and any request with
    /// two, is refused with 400; HTTP/1.0 needs none.
    @Test(arguments: [
        ("POST /echo HTTP/1.1\r\nContent-Length: 2\r\n\r\nok", 400, "needs a Host header"),
        ("GET /echo HTTP/1.1\r\n\r\n", 400, "needs a Host header"),
        ("POST /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 2\r\n\r\nok", 400, "Host is given more than once"),
        ("POST /echo HTTP/1.0\r\nContent-Length: 2\r\n\r\nok", 200, "ok"),
        ("POST /echo HTTP/1.0\r\nHost: a\r\nHost: b\r\nContent-Length: 2\r\n\r\nok", 400, "Host is given more than once"),
        ("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", 200, "ok"),
    ] as [(String, Int, String)])
    func anHTTP11RequestNeedsOneHost(request: String, status: Int, answer: String) throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let socket = try RawSocket(port: server.port)
        socket.send(Array(request.utf8))
        let reply = Self.answer(socket)
        #expect(reply.status == status, "\(reply.head)")
        #expect(String(decoding: reply.body, as: UTF8.self).contains(answer))
        if status == 400 { #expect(reply.head.contains("application/problem+json")) }
    }

    /// A chunk that declares 2^64-1 bytes and then keeps sending: answered
    /// 413 as soon as the body passes the limit, and closed.
    @Test func aHugeChunkIsCutAtTheLimit() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let socket = try Self.post("Transfer-Encoding: chunked\r\n", Array("ffffffffffffffff\r\n".utf8), to: server.port)
        let filler = [UInt8](repeating: UInt8(ascii: "a"), count: 16 << 10)
        var sent = 0
        while sent < 4 * Self.limit, socket.send(filler) { sent += filler.count }
        let (reply, seconds) = Self.timed { Self.answer(socket) }
        #expect(reply.status == 413, "\(reply.head)")
        #expect(reply.closed)
        #expect(seconds < 2)
    }

    /// The same chunk followed by silence: the request deadline answers 408 and closes.
    @Test func aStalledChunkGets408AtTheDeadline() throws {
        let server = try Self.echoServer(deadlineSeconds: 1)
        defer { server.stop() }
        let socket = try Self.post("Transfer-Encoding: chunked\r\n", Array("ffffffffffffffff\r\nabc".utf8), to: server.port)
        let (reply, seconds) = Self.timed { Self.answer(socket, seconds: 5) }
        #expect(reply.status == 408, "\(reply.head)")
        #expect(reply.closed)
        #expect(seconds < 2.5)
    }

    /// Over the connection limit, a connection is closed as soon as it is
    /// accepted (not left in the kernel's queue), and counted.
    @Test func connectionsOverTheLimitAreRefusedAtOnce() throws {
        let server = try Self.echoServer(connectionLimit: 8)
        defer { server.stop() }
        var held = try (0..<8).map { _ in try RawSocket(port: server.port) }
        try #require(waitUntil(seconds: 5) { server.currentConnections == 8 })
        let extra = try RawSocket(port: server.port)
        extra.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        let (bytes, seconds) = Self.timed { extra.readUntilClosed(seconds: 5) }
        #expect(bytes.isEmpty)
        #expect(seconds < 1, "refused after \(seconds) s")
        #expect(server.connectionsRefused == 1)
        // The held ones are still served, and once they go, new ones are too.
        held[0].send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
        #expect(String(decoding: held[0].read(until: "ok", seconds: 5), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        held.removeAll()
        try #require(waitUntil(seconds: 5) { server.currentConnections == 0 })
        let later = Self.answer(try Self.post("Content-Length: 2\r\nConnection: close\r\n", Array("ok".utf8), to: server.port))
        #expect(later.status == 200)
    }
}
