import PhysioPlatform

/// State of one request across libmicrohttpd's calls into the access handler.
final class RequestContext: @unchecked Sendable {
    enum Stage {
        /// Waiting for the token's lookup before the body is read.
        case admitting
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
    /// Bytes received on the wire (before any inflating).
    var receivedBytes = 0
    var tooLarge = false
    /// Set for a gzip or deflate body; dropped once it fails.
    var inflater: BodyInflater?
    private var wasCompressed = false
    private var malformed: String?
    var route = "unmatched"
    var status = 0
    private let lock = Lock()
    private var pending: Response?

    init(id: String, method: String, path: String) {
        self.id = id
        self.method = method
        self.path = path
    }

    /// Keeps a chunk of the body (inflated if it is compressed) while it fits
    /// in `limit` bytes; past that, or once it cannot be inflated, the rest
    /// is only counted.
    func receive(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) {
        guard !tooLarge, malformed == nil else { return }
        guard let inflater else {
            if body.count + bytes.count > limit {
                tooLarge = true
                body = []
            } else {
                body.append(contentsOf: bytes)
            }
            return
        }
        wasCompressed = true
        do {
            try inflater.feed(bytes, into: &body, limit: limit)
        } catch {
            switch error {
            case .tooLarge: tooLarge = true
            case .malformed(let detail): malformed = detail
            }
            body = []
            self.inflater = nil
        }
    }

    /// The body is all in: the answer if it cannot be used.
    func finishBody() -> Problem? {
        if malformed == nil, let inflater {
            do { try inflater.finish() } catch {
                if case .malformed(let detail) = error { malformed = detail }
            }
            self.inflater = nil
        }
        guard let malformed else { return nil }
        body = []
        return .badRequest("the request body cannot be decoded as its Content-Encoding says: \(malformed)")
    }

    /// A 413's detail: what passed the limit.
    func tooLargeDetail(limit: Int) -> String {
        wasCompressed ? "the request body inflates to more than \(limit) bytes"
                      : "the request body is larger than \(limit) bytes"
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
