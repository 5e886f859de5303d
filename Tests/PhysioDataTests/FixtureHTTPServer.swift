import PhysioCore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (a free port) standing in for
/// api.vitaldb.net in tests: GET paths answered from a table, one
/// connection per request (Connection: close), requests counted.
final class FixtureHTTPServer: @unchecked Sendable {
    enum Reply {
        case body([UInt8])
        case status(Int)
        /// Announces `announced` bytes, sends `body`, closes: a broken transfer.
        case truncated([UInt8], announced: Int)
    }

    let port: UInt16
    private let listener: Int32
    private let lock = Lock()
    private var routes: [String: Reply]
    private var counts: [String: Int] = [:]
    private var inFlight = 0
    private var stopped = false
    private let acceptLoopDone = WaitGroup()
    private(set) var maxInFlight = 0
    /// Seconds each reply waits before it is sent (lets concurrent requests overlap).
    var delay = 0.0

    init(routes: [String: Reply] = [:]) throws {
        self.routes = routes
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError.socket("socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw ServerError.socket("bind/listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        acceptLoopDone.add()
        startThread { [self] in acceptLoop() }
    }

    enum ServerError: Error { case socket(String) }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func setRoute(_ path: String, _ reply: Reply) { lock.withLock { routes[path] = reply } }

    func requests(_ path: String) -> Int { lock.withLock { counts[path, default: 0] } }

    var totalRequests: Int { lock.withLock { counts.values.reduce(0, +) } }

    /// Stops accepting and waits for the accept loop to end. The loop closes
    /// the listening socket itself: closing it here could let another test's
    /// new socket reuse the descriptor number while the loop still accepts on it.
    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        acceptLoopDone.wait()
    }

    /// A port that refuses connections for as long as `body` runs: bound (so
    /// no other test can take it) but not listening.
    static func withRefusingPort<T>(_ body: (UInt16) throws -> T) throws -> T {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError.socket("socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw ServerError.socket("bind") }
        return try body(UInt16(bigEndian: address.sin_port))
    }

    private func acceptLoop() {
        defer {
            close(listener)
            acceptLoopDone.done()
        }
        while true {
            let connection = accept(listener, nil, nil)
            if lock.withLock({ stopped }) {
                if connection >= 0 { close(connection) }
                return
            }
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            startThread { [self] in handle(connection) }
        }
    }

    private func handle(_ connection: Int32) {
        defer { close(connection) }
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !request.containsHeaderEnd, request.count < 65536 {
            let count = recv(connection, &chunk, chunk.count, 0)
            if count <= 0 { return }
            request += chunk[0..<count]
        }
        let line = String(decoding: request.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2 else { return }
        let path = String(parts[1])
        let reply: Reply? = lock.withLock {
            counts[path, default: 0] += 1
            inFlight += 1
            maxInFlight = max(maxInFlight, inFlight)
            return routes[path]
        }
        if delay > 0 { Clock.sleep(seconds: delay) }
        // Done before the answer goes out: once the client has it, it may ask
        // again at once, and counting that request before this one's end made
        // three downloads at once look like four (a loaded run).
        lock.withLock { inFlight -= 1 }
        switch reply {
        case .body(let body)?:
            send(connection, status: 200, body: body, announced: body.count)
        case .truncated(let body, let announced)?:
            send(connection, status: 200, body: body, announced: announced)
        case .status(let status)?:
            send(connection, status: status, body: Array("status \(status)".utf8), announced: nil)
        case nil:
            send(connection, status: 404, body: Array("Not Found".utf8), announced: nil)
        }
    }

    private func send(_ connection: Int32, status: Int, body: [UInt8], announced: Int?) {
        let head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Error")\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Length: \(announced ?? body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return }
            sent += count
        }
    }
}

private extension [UInt8] {
    var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for index in 0...(count - 4) where self[index] == 0x0D && self[index + 1] == 0x0A && self[index + 2] == 0x0D && self[index + 3] == 0x0A {
            return true
        }
        return false
    }
}
