#if canImport(Glibc)
import Glibc
#endif

/// A thread that serves many connections (one of libmicrohttpd's epoll
/// threads) must not wait for anything slow: every connection it serves
/// would wait too. Such threads mark themselves; what could wait (a
/// database connection from an exhausted pool, opening a new one) throws
/// `WouldBlock` on them instead, and the server runs the request again on
/// a thread that may wait, the client's connection suspended meanwhile.
public enum EventLoopThread {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    /// True on a thread that called `markCurrent`.
    public static var isCurrent: Bool { pthread_getspecific(key) != nil }

    public static func markCurrent() {
        if pthread_getspecific(key) == nil { pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1)) }
    }
}

/// What an event-loop thread may not wait for (see `EventLoopThread`).
public struct WouldBlock: Error, CustomStringConvertible, Sendable {
    public let what: String
    public init(_ what: String) { self.what = what }
    public var description: String { "would wait on an event-loop thread for \(what)" }
}
