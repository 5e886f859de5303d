/// How the HTTP server listens and what it tolerates from clients.
public struct HTTPConfiguration: Sendable {
    public enum AccessLog: String, Sendable, CaseIterable {
        case all, errors, off
    }

    public var bindAddress = "127.0.0.1"
    /// 0 picks a free port (tests); `HTTPServer.port` tells which.
    public var port: UInt16 = 8080
    /// libmicrohttpd's internal pool: each thread runs its own epoll loop.
    public var threads = 4
    /// Largest request body accepted; larger gets 413.
    public var maxBodyBytes = 8 << 20
    /// Per-connection memory for the request line, headers and buffers;
    /// larger headers get 431 from libmicrohttpd.
    public var connectionMemoryBytes = 64 << 10
    public var connectionLimit = 2048
    /// 0 means no per-client limit.
    public var perClientConnectionLimit = 0
    /// An idle or stalled connection is closed after this long.
    public var idleTimeoutSeconds = 30
    /// Whole-request deadline: a client that trickles its headers or body
    /// (slowloris) is cut off after this long whatever it sends.
    public var requestDeadlineSeconds = 60
    public var tlsCertificatePEM: String?
    public var tlsKeyPEM: String?
    public var accessLog: AccessLog = .errors
    /// How long a graceful stop waits for in-flight requests.
    public var drainTimeoutSeconds = 30.0

    public init() {}
}

/// What the server tells its observer (metrics) about each finished request.
public struct RequestRecord: Sendable {
    public let method: String
    public let route: String
    public let status: Int
    public let durationNanos: UInt64
    public let bodyBytes: Int
}
