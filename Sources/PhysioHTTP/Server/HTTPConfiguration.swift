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
    /// Per-connection memory (libmicrohttpd's pool) the request line and
    /// headers must fit in; larger headers get 431 from libmicrohttpd.
    /// libmicrohttpd zeroes the pool before each request on a kept-alive
    /// connection: at 64 KiB that memset was 7 % of the server's CPU under
    /// single-sample ingest, at 16 KiB 2.7 % (perf).
    public var connectionMemoryBytes = 16 << 10
    public var connectionLimit = 2048
    /// Connections from one address; 0 means no limit. `physio serve` sets 256.
    public var perClientConnectionLimit = 0
    /// libmicrohttpd's connection timeout: closes a connection after this
    /// long without a byte in either direction. Every byte resets it.
    public var idleTimeoutSeconds = 30
    /// Whole-request deadline (ConnectionDeadlines): from its start or its
    /// previous request's end, a connection has this long to deliver a
    /// complete request however it trickles (slowloris); 0 turns it off.
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
