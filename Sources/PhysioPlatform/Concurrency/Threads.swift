#if canImport(Glibc)
import Glibc
#endif

/// Starts a detached OS thread. Writers and workers block in libpq, so they
/// get threads of their own rather than tasks on Swift's cooperative pool.
public func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    precondition(result == 0, "pthread_create failed: \(result)")
    pthread_detach(thread)
}

/// Counts down to zero; `wait` returns when it gets there (threads finished).
public final class WaitGroup: @unchecked Sendable {
    private let condition = ConditionLock()
    private var count = 0

    public init() {}

    public func add(_ n: Int = 1) { condition.withLock { count += n } }

    public func done() {
        condition.withLock {
            count -= 1
            if count <= 0 { condition.broadcast() }
        }
    }

    /// False if `seconds` passed first.
    @discardableResult
    public func wait(seconds: Double = .infinity) -> Bool {
        let deadline = Clock.monotonicNanos() &+ (seconds.isFinite ? UInt64(seconds * 1e9) : UInt64.max / 2)
        return condition.withLock {
            while count > 0 {
                let now = Clock.monotonicNanos()
                if now >= deadline { return false }
                condition.wait(seconds: min(1, Double(deadline - now) / 1e9))
            }
            return true
        }
    }
}
