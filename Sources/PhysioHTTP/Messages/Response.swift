import PhysioPlatform

/// An answer: status, headers and either bytes or a stream pulled a chunk
/// at a time (exports, event streams).
public struct Response: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        case stream(any ResponseStream)
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: Body

    public init(status: Int, contentType: String? = nil, body: [UInt8] = [], headers: [(String, String)] = []) {
        self.status = status
        self.headers = headers
        if let contentType { self.headers.append(("Content-Type", contentType)) }
        self.body = .bytes(body)
    }

    public init(status: Int = 200, contentType: String, stream: any ResponseStream, headers: [(String, String)] = []) {
        self.status = status
        self.headers = headers + [("Content-Type", contentType)]
        self.body = .stream(stream)
    }

    public static func json(_ writer: JSONWriter, status: Int = 200, headers: [(String, String)] = []) -> Response {
        Response(status: status, contentType: "application/json", body: writer.bytes, headers: headers)
    }

    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, contentType: contentType, body: Array(text.utf8))
    }
}

/// A body produced while it is sent. `read` fills `buffer` and returns how
/// many bytes it wrote; 0 bytes means "nothing yet" only for streams that
/// call `wake` when they have more (events); otherwise return `.end`.
public protocol ResponseStream: AnyObject, Sendable {
    func read(into buffer: UnsafeMutableRawBufferPointer) -> StreamRead
    /// Called once when the response is finished or the client went away.
    func close()
}

public enum StreamRead: Sendable {
    case bytes(Int)
    /// No data now: the connection is suspended until `StreamWaker.wake()`.
    case wait(StreamWaker)
    case end
    case failed
}

/// Resumes a stream's suspended connection when it has data again.
public final class StreamWaker: @unchecked Sendable {
    private let lock = Lock()
    private var resume: (() -> Void)?
    private var pendingWake = false

    public init() {}

    public func wake() {
        let action: (() -> Void)? = lock.withLock {
            guard let resume else { pendingWake = true; return nil }
            self.resume = nil
            return resume
        }
        action?()
    }

    /// The server installs how to resume; a wake that came first fires at once.
    func onWake(_ action: @escaping () -> Void) {
        let fireNow: Bool = lock.withLock {
            if pendingWake { pendingWake = false; return true }
            resume = action
            return false
        }
        if fireNow { action() }
    }
}

/// A reply that comes later (after a group commit): the handler returns it,
/// the connection is suspended, and `complete` resumes it.
public final class DeferredResponse: @unchecked Sendable {
    private let lock = Lock()
    private var response: Response?
    private var completed = false
    private var onComplete: ((Response) -> Void)?

    public init() {}

    public func complete(_ response: Response) {
        let action: ((Response) -> Void)? = lock.withLock {
            guard !completed else { return nil }
            completed = true
            self.response = response
            defer { onComplete = nil }
            return onComplete
        }
        action?(response)
    }

    func whenComplete(_ action: @escaping (Response) -> Void) {
        let ready: Response? = lock.withLock {
            if let response { return response }
            onComplete = action
            return nil
        }
        if let ready { action(ready) }
    }
}

public enum Reply: Sendable {
    case now(Response)
    case later(DeferredResponse)
}
