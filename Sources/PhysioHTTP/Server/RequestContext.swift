import PhysioPlatform

/// State of one request across libmicrohttpd's calls into the access handler.
final class RequestContext: @unchecked Sendable {
    enum Stage {
        case receiving
        case suspended
        case responded
    }

    let id: String
    let method: String
    let path: String
    let startNanos = Clock.monotonicNanos()
    var stage = Stage.receiving
    var body: [UInt8] = []
    var receivedBytes = 0
    var tooLarge = false
    var route = "unmatched"
    var status = 0
    private let lock = Lock()
    private var pending: Response?

    init(id: String, method: String, path: String) {
        self.id = id
        self.method = method
        self.path = path
    }

    /// Set by whichever thread finished a deferred reply.
    func setPending(_ response: Response) { lock.withLock { pending = response } }
    func takePending() -> Response? { lock.withLock { defer { pending = nil }; return pending } }
}

/// A streaming body and the connection it belongs to, for the C callbacks.
final class StreamContext: @unchecked Sendable {
    let stream: any ResponseStream
    let connection: OpaquePointer
    unowned let server: HTTPServer

    init(stream: any ResponseStream, connection: OpaquePointer, server: HTTPServer) {
        self.stream = stream
        self.connection = connection
        self.server = server
    }
}
