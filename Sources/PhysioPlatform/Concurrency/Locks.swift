#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex for state shared with C library threads (libmicrohttpd's pool,
/// worker threads), where Swift concurrency does not reach.
public final class Lock: @unchecked Sendable {
    fileprivate let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init() { pthread_mutex_init(mutex, nil) }
    deinit { pthread_mutex_destroy(mutex); mutex.deallocate() }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    @inline(__always)
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock(); defer { unlock() }
        return try body()
    }
}

/// A lock with condition variables, for threads that wait for work. More
/// than one condition lets each kind of waiter be woken alone.
public final class ConditionLock: @unchecked Sendable {
    private let lockObject = Lock()
    private let conditions: UnsafeMutablePointer<pthread_cond_t>
    private let count: Int

    public init(conditions count: Int = 1) {
        self.count = count
        conditions = .allocate(capacity: count)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if os(Linux)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        for index in 0..<count { pthread_cond_init(conditions + index, &attributes) }
        pthread_condattr_destroy(&attributes)
    }
    deinit {
        for index in 0..<count { pthread_cond_destroy(conditions + index) }
        conditions.deallocate()
    }

    public func lock() { lockObject.lock() }
    public func unlock() { lockObject.unlock() }

    @inline(__always)
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lockObject.lock(); defer { lockObject.unlock() }
        return try body()
    }

    /// Waits (the lock held) until condition `index` is signalled.
    public func wait(_ index: Int = 0) { pthread_cond_wait(conditions + index, lockObject.mutex) }

    /// Waits (the lock held) until signalled or `seconds` pass; false on timeout.
    @discardableResult
    public func wait(_ index: Int = 0, seconds: Double) -> Bool {
        #if os(Linux)
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        #else
        var now = timeval(); gettimeofday(&now, nil)
        var deadline = timespec(tv_sec: now.tv_sec, tv_nsec: Int(now.tv_usec) * 1000)
        #endif
        let nanos = Int(deadline.tv_nsec) + Int(seconds * 1e9)
        deadline.tv_sec += nanos / 1_000_000_000
        deadline.tv_nsec = nanos % 1_000_000_000
        return pthread_cond_timedwait(conditions + index, lockObject.mutex, &deadline) == 0
    }

    public func signal(_ index: Int = 0) { pthread_cond_signal(conditions + index) }
    public func broadcast(_ index: Int = 0) { pthread_cond_broadcast(conditions + index) }
}

/// A value guarded by its own lock.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = Lock()
    private var stored: Value

    public init(_ value: Value) { stored = value }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try lock.withLock { try body(&stored) }
    }

    public var value: Value { lock.withLock { stored } }
}
