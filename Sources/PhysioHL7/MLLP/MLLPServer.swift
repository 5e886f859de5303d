import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// An MLLP listener: TCP (or TLS) connections carrying framed HL7 v2
/// messages, served by a few epoll threads. Each message is handed to
/// `handler` on its connection's thread, which must not block; its answer
/// comes back through the `MLLPReply` whenever it is ready (after a
/// commit), and answers leave each connection in the order its messages
/// arrived. Bounded like the HTTP port: connections in all and per address,
/// an idle timeout, a deadline for each message, a maximum message size
/// and a maximum of unanswered messages per connection.
public final class MLLPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (MLLPFramer.Frame, MLLPReply) -> Void

    public let configuration: MLLPConfiguration
    let handler: Handler
    private var listening: Int32 = -1
    private var loops: [MLLPEventLoop] = []
    private let finished = WaitGroup()
    private let state = Locked((statistics: MLLPStatistics(), perClient: [String: Int](), stopping: false))
    private var tls: TLSCredentials?
    public private(set) var port: UInt16 = 0

    public init(configuration: MLLPConfiguration, handler: @escaping Handler) {
        self.configuration = configuration
        self.handler = handler
    }

    deinit {
        if listening >= 0 { stop() }
    }

    public func start() throws {
        if let certificate = configuration.tlsCertificatePEM, let key = configuration.tlsKeyPEM {
            tls = try TLSCredentials(certificatePEM: certificate, keyPEM: key, clientAuthoritiesPEM: configuration.tlsClientAuthoritiesPEM)
        } else if configuration.tlsClientAuthoritiesPEM != nil {
            throw MLLPServerError.tls("client certificates are checked only over TLS: give the listener a certificate and key")
        }
        var address = try SocketAddress(host: configuration.bindAddress, port: configuration.port)
        let descriptor = socket(address.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw MLLPServerError.startFailed("socket: \(String(cString: strerror(errno)))") }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let length = socklen_t(address.length)
        let bound = address.withSockaddr { bind(descriptor, $0, length) }
        guard bound == 0, listen(descriptor, 1024) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw MLLPServerError.startFailed("cannot listen for MLLP on \(configuration.bindAddress):\(configuration.port): \(reason)")
        }
        listening = descriptor
        port = Self.boundPort(descriptor)
        for _ in 0..<max(1, configuration.threads) {
            let loop = try MLLPEventLoop(server: self, listening: descriptor)
            loops.append(loop)
            finished.add()
            startThread { [finished] in
                EventLoopThread.markCurrent()
                loop.run()
                finished.done()
            }
        }
        let allowed = configuration.allowedSenders.map(\.description)
        Log.info("listening for HL7 over MLLP", ["address": .string(configuration.bindAddress), "port": .int(Int(port)),
                                                  "threads": .int(configuration.threads), "tls": .bool(configuration.isTLS),
                                                  "client_certificates": .bool(configuration.isTLS && configuration.tlsClientAuthoritiesPEM != nil),
                                                  "allowed_senders": .string(allowed.isEmpty ? "any" : allowed.joined(separator: ","))])
        // The port takes no token: on a network address, say so when anyone may send.
        if allowed.isEmpty && configuration.tlsClientAuthoritiesPEM == nil
            && !["127.0.0.1", "::1", "localhost"].contains(configuration.bindAddress) {
            Log.warning("the HL7 port accepts messages from any address that reaches it, with no token; restrict it with --hl7-allow (the monitors' networks) or a firewall",
                        ["address": .string(configuration.bindAddress), "port": .int(Int(port))])
        }
    }

    /// Stops accepting, writes the answers still owed (up to the drain
    /// timeout), then closes every connection.
    public func stop() {
        guard listening >= 0 else { return }
        state.withLock { $0.stopping = true }
        loops.forEach { $0.requestStop() }
        _ = finished.wait()
        Glibc.close(listening)
        listening = -1
        loops.removeAll()
    }

    public var statistics: MLLPStatistics { state.value.statistics }

    // MARK: - called by the loops

    func admit(client: String) -> Bool {
        let allowed = configuration.allowedSenders
        guard allowed.isEmpty || allowed.contains(where: { $0.contains(client) }) else {
            // Counted, not logged: a scanner must not flood the log.
            state.withLock { $0.statistics.notAllowed += 1 }
            return false
        }
        return state.withLock { state in
            let limit = configuration.perClientConnectionLimit
            guard !state.stopping, state.statistics.open < configuration.connectionLimit,
                  limit <= 0 || state.perClient[client, default: 0] < limit else {
                state.statistics.refused += 1
                return false
            }
            state.statistics.open += 1
            state.statistics.accepted += 1
            state.perClient[client, default: 0] += 1
            return true
        }
    }

    func release(client: String) {
        state.withLock { state in
            state.statistics.open -= 1
            let left = state.perClient[client, default: 1] - 1
            state.perClient[client] = left > 0 ? left : nil
        }
    }

    func closed(_ connection: MLLPConnection, reason: MLLPEventLoop.CloseReason?) {
        release(client: connection.client)
        state.withLock { state in
            switch reason {
            case .idle: state.statistics.idleClosed += 1
            case .pastDeadline: state.statistics.pastDeadline += 1
            case nil: break
            }
        }
        if reason == .pastDeadline {
            Log.info("MLLP connection closed: a message was not completed within the deadline",
                     ["client": .string(connection.client), "deadline_s": .double(configuration.messageDeadlineSeconds)])
        }
    }

    func count(_ frame: MLLPFramer.Frame) {
        state.withLock { state in
            state.statistics.frames += 1
            if case .oversized = frame { state.statistics.oversized += 1 }
        }
    }

    func handshakeFailed() { state.withLock { $0.statistics.handshakeFailures += 1 } }

    func refusedStrayBytes() { state.withLock { $0.statistics.notMLLP += 1 } }

    func makeTransport(descriptor: Int32, client: String) throws -> MLLPTransport {
        guard let tls else { return PlainTransport(descriptor: descriptor) }
        return try TLSTransport(descriptor: descriptor, client: client, credentials: tls, server: self)
    }

    private static func boundPort(_ descriptor: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { pointer in
            family == AF_INET6
                ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
                : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }
}

public enum MLLPServerError: Error, CustomStringConvertible {
    case startFailed(String)
    case tls(String)

    public var description: String {
        switch self {
        case .startFailed(let detail): detail
        case .tls(let detail): "TLS: \(detail)"
        }
    }
}
