/// How the MLLP listener listens and what it tolerates from senders.
public struct MLLPConfiguration: Sendable {
    public var bindAddress = "127.0.0.1"
    /// 0 picks a free port (tests); `MLLPServer.port` tells which.
    public var port: UInt16 = 2575
    /// Event-loop threads; each serves many connections with epoll.
    public var threads = 2
    public var connectionLimit = 1024
    /// Connections from one address; 0 for no limit.
    public var perClientConnectionLimit = 0
    /// Addresses senders may connect from; empty lets every address in.
    public var allowedSenders: [SenderNetwork] = []
    /// A connection with nothing to read or answer for this long is closed.
    /// Monitors keep one connection open for hours and may send once a minute.
    public var idleTimeoutSeconds = 600.0
    /// A message whose first byte has arrived must be complete this long
    /// after it (a sender that trickles cannot hold a connection forever).
    public var messageDeadlineSeconds = 30.0
    /// A larger message is read to its end and refused.
    public var maxMessageBytes = 1 << 20
    /// Messages on one connection waiting for their answers; beyond it the
    /// connection is not read until answers go out.
    public var maxPipelinedMessages = 128
    /// PEM certificate (with chain) and key: the port speaks only TLS.
    public var tlsCertificatePEM: String?
    public var tlsKeyPEM: String?
    /// PEM certificates of the authorities that sign senders' certificates:
    /// given, a TLS sender must present one they signed (mutual TLS, as IHE
    /// ATNA's node authentication asks), or its handshake fails.
    public var tlsClientAuthoritiesPEM: String?
    /// How long a graceful stop waits for answers still owed.
    public var drainTimeoutSeconds = 30.0

    public init() {}

    public var isTLS: Bool { tlsCertificatePEM != nil && tlsKeyPEM != nil }
}

/// What the listener has seen, for metrics.
public struct MLLPStatistics: Sendable {
    public var open = 0
    public var accepted = 0
    /// Closed as accepted: over the connection limit (in all or per client).
    public var refused = 0
    /// Closed as accepted: from an address outside `allowedSenders`.
    public var notAllowed = 0
    /// Closed for not completing a message within the deadline.
    public var pastDeadline = 0
    public var idleClosed = 0
    public var frames = 0
    public var oversized = 0
    /// TLS handshakes that failed.
    public var handshakeFailures = 0
    /// Closed for sending bytes outside frames that MLLP never sends (another protocol).
    public var notMLLP = 0
}
