import CMicroHTTPD
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// libmicrohttpd with its internal epoll thread pool, answering through a Router.
/// Handlers run on the pool threads; replies that wait (group commit, event
/// streams) suspend their connection instead of blocking a thread.
public final class HTTPServer: @unchecked Sendable {
    public let configuration: HTTPConfiguration
    let router: Router
    let observer: (@Sendable (RequestRecord) -> Void)?
    private var daemon: OpaquePointer?
    private var retainedStrings: [UnsafeMutablePointer<CChar>] = []
    private let state = ConditionLock()
    private var inFlight = 0
    private var requestCounter: UInt64 = 0
    private let requestIDPrefix: String
    private(set) var stopping = false
    /// Stream wakers to fire at shutdown so suspended streams can end.
    private var openStreams: [ObjectIdentifier: StreamWaker] = [:]
    /// nil when the request deadline is off (0).
    let deadlines: ConnectionDeadlines?
    /// Open client connections (as libmicrohttpd reports them) and those
    /// refused for being over the limit.
    private let connectionCounts = Locked((open: 0, refused: 0))

    public init(configuration: HTTPConfiguration, router: Router,
                observer: (@Sendable (RequestRecord) -> Void)? = nil) {
        self.configuration = configuration
        self.router = router
        self.observer = observer
        deadlines = configuration.requestDeadlineSeconds > 0
            ? ConnectionDeadlines(deadlineSeconds: Double(configuration.requestDeadlineSeconds),
                                  answersTimeouts: configuration.tlsCertificatePEM == nil) : nil
        var random = SystemRandomNumberGenerator()
        requestIDPrefix = String(UInt32.random(in: 0...UInt32.max, using: &random), radix: 16)
    }

    deinit {
        if daemon != nil { stop() }
        retainedStrings.forEach { free($0) }
    }

    /// The port actually bound (useful with port 0).
    public private(set) var port: UInt16 = 0

    public var isTLS: Bool { configuration.tlsCertificatePEM != nil }

    public func start() throws {
        var flags = UInt32(MHD_USE_EPOLL_INTERNAL_THREAD.rawValue) | UInt32(MHD_ALLOW_SUSPEND_RESUME.rawValue)
            | UInt32(MHD_USE_ERROR_LOG.rawValue) | UInt32(MHD_USE_ITC.rawValue)
        let isIPv6 = configuration.bindAddress.contains(":")
        if isIPv6 { flags |= UInt32(MHD_USE_IPv6.rawValue) }
        if isTLS { flags |= UInt32(MHD_USE_TLS.rawValue) }

        var address: SocketAddress
        do { address = try SocketAddress(host: configuration.bindAddress, port: configuration.port) } catch {
            throw HTTPServerError.badAddress(configuration.bindAddress)
        }
        let logSink: physio_log_sink = physioMHDLogSink
        // No LISTENING_ADDRESS_REUSE: it adds SO_REUSEPORT, and a second server
        // on the port would start and silently take half the connections.
        // libmicrohttpd's default SO_REUSEADDR already allows a quick restart.
        var options: [MHD_OptionItem] = [
            item(.EXTERNAL_LOGGER, physio_mhd_logger_address(), unsafeBitCast(logSink, to: UnsafeMutableRawPointer.self)),
            item(.THREAD_POOL_SIZE, max(1, configuration.threads)),
            // physioAcceptPolicy enforces the limit by refusing; libmicrohttpd's
            // own (split between its threads) would leave connections in the
            // kernel's queue, so it only stands behind, with room.
            item(.CONNECTION_LIMIT, configuration.connectionLimit * 2 + 64),
            item(.CONNECTION_TIMEOUT, configuration.idleTimeoutSeconds),
            item(.CONNECTION_MEMORY_LIMIT, configuration.connectionMemoryBytes),
            item(.NOTIFY_COMPLETED, unsafeBitCast(physioRequestCompleted as MHD_RequestCompletedCallback, to: Int.self),
                 Unmanaged.passUnretained(self).toOpaque()),
        ]
        options.append(item(.NOTIFY_CONNECTION, unsafeBitCast(physioConnectionNotify as MHD_NotifyConnectionCallback, to: Int.self),
                            Unmanaged.passUnretained(self).toOpaque()))
        if configuration.perClientConnectionLimit > 0 {
            options.append(item(.PER_IP_CONNECTION_LIMIT, configuration.perClientConnectionLimit))
        }
        if let certificate = configuration.tlsCertificatePEM, let key = configuration.tlsKeyPEM {
            options.append(item(.HTTPS_MEM_CERT, 0, retain(certificate)))
            options.append(item(.HTTPS_MEM_KEY, 0, retain(key)))
            options.append(item(.HTTPS_PRIORITIES, 0, retain(TLSVersions.priorities)))
        }
        let started: OpaquePointer? = address.withSockaddr { sockaddr in
            options.append(item(.SOCK_ADDR, 0, UnsafeMutableRawPointer(mutating: sockaddr)))
            options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))
            return options.withUnsafeMutableBufferPointer { buffer in
                physio_mhd_start(flags, configuration.port, physioAcceptPolicy, Unmanaged.passUnretained(self).toOpaque(),
                                 physioAccessHandler, Unmanaged.passUnretained(self).toOpaque(), buffer.baseAddress)
            }
        }
        guard let started else {
            throw HTTPServerError.startFailed("libmicrohttpd could not listen on \(configuration.bindAddress):\(configuration.port) (in use, not permitted, or bad TLS key/certificate)")
        }
        daemon = started
        deadlines?.start()
        port = physio_mhd_bound_port(started)
        Log.info("listening", ["address": .string(configuration.bindAddress), "port": .int(Int(port)),
                               "threads": .int(configuration.threads), "tls": .bool(isTLS),
                               "idle_timeout_s": .int(configuration.idleTimeoutSeconds),
                               "request_deadline_s": .int(configuration.requestDeadlineSeconds)])
    }

    /// Graceful stop: stop accepting, let in-flight requests finish (up to
    /// the drain timeout), end open streams, then shut the daemon down.
    public func stop() {
        guard let daemon else { return }
        let streams: [StreamWaker] = state.withLock {
            stopping = true
            return Array(openStreams.values)
        }
        // New connections are now closed as they are accepted
        // (physioAcceptPolicy). Not MHD_quiesce_daemon: with an epoll thread
        // it races that thread to remove the listening socket, and the loser
        // aborts the process ("Failed to remove listen FD from epoll set").
        streams.forEach { $0.wake() }
        let deadline = Clock.monotonicNanos() + UInt64(configuration.drainTimeoutSeconds * 1e9)
        state.withLock {
            while inFlight > 0 && Clock.monotonicNanos() < deadline { state.wait(seconds: 0.05) }
            if inFlight > 0 {
                Log.warning("stopping with requests still in flight", ["count": .int(inFlight)])
            }
        }
        MHD_stop_daemon(daemon)
        deadlines?.stop()
        self.daemon = nil
        Log.info("stopped")
    }

    /// Connections closed for not delivering a request within the deadline.
    public var connectionsPastDeadline: Int { deadlines?.closedCount ?? 0 }

    public var currentConnections: Int { connectionCounts.value.open }

    /// Connections closed as accepted because `connectionLimit` were open.
    public var connectionsRefused: Int { connectionCounts.value.refused }

    // MARK: - called from the C callbacks

    /// Whether to keep a connection just accepted. Checked before it is
    /// counted as open, so a burst of accepts on several threads can pass
    /// the limit by at most one each.
    func admitsConnection() -> Bool {
        if isStopping { return false }
        return connectionCounts.withLock { counts in
            guard counts.open >= configuration.connectionLimit else { return true }
            counts.refused += 1
            return false
        }
    }

    func connectionOpened() { connectionCounts.withLock { $0.open += 1 } }
    func connectionClosed() { connectionCounts.withLock { $0.open -= 1 } }

    func begin(method: String, path: String, suppliedID: String?) -> RequestContext {
        let id: String = state.withLock {
            inFlight += 1
            requestCounter &+= 1
            if let suppliedID, RequestIDs.isAcceptable(suppliedID) { return suppliedID }
            return "\(requestIDPrefix)-\(String(requestCounter, radix: 16))"
        }
        return RequestContext(id: id, method: method, path: path)
    }

    func finish(_ context: RequestContext) {
        let duration = Clock.monotonicNanos() - context.startNanos
        state.withLock {
            inFlight -= 1
            if inFlight == 0 { state.broadcast() }
        }
        observer?(RequestRecord(method: context.method, route: context.route, status: context.status,
                                durationNanos: duration, bodyBytes: context.receivedBytes))
        switch configuration.accessLog {
        case .off: return
        case .errors where context.status < 400: return
        default: break
        }
        let level: Log.Level = context.status >= 500 || context.status == 0 ? .warning : .info
        Log.write(level, "request", ["request_id": .string(context.id), "method": .string(context.method),
                                     "path": .string(context.path), "route": .string(context.route),
                                     "status": .int(context.status), "ms": .double(Double(duration) / 1e6),
                                     "bytes_in": .int(context.receivedBytes)])
    }

    func register(_ waker: StreamWaker) -> Bool {
        state.withLock {
            guard !stopping else { return false }
            openStreams[ObjectIdentifier(waker)] = waker
            return true
        }
    }

    func unregister(_ waker: StreamWaker) {
        _ = state.withLock { openStreams.removeValue(forKey: ObjectIdentifier(waker)) }
    }

    /// Whether `stop` has begun: new connections are closed as they are accepted.
    public var isStopping: Bool { state.withLock { stopping } }

    private func item(_ option: MHD_OPTION, _ value: Int, _ pointer: UnsafeMutableRawPointer? = nil) -> MHD_OptionItem {
        MHD_OptionItem(option: option, value: value, ptr_value: pointer)
    }

    private func retain(_ text: String) -> UnsafeMutableRawPointer {
        let copy = strdup(text)!
        retainedStrings.append(copy)
        return UnsafeMutableRawPointer(copy)
    }
}

public enum HTTPServerError: Error, CustomStringConvertible {
    case startFailed(String)
    case badAddress(String)

    public var description: String {
        switch self {
        case .startFailed(let detail): detail
        case .badAddress(let address): "not an IP address to bind: \(address)"
        }
    }
}

enum RequestIDs {
    /// A client's X-Request-Id is kept if it is short and plain: `[A-Za-z0-9._-]{1,64}`.
    static func isAcceptable(_ id: String) -> Bool {
        let utf8 = id.utf8
        return !utf8.isEmpty && utf8.count <= 64 && utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }
}
