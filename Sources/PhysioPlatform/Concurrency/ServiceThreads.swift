/// The lifecycle of a service's own threads (listeners, workers, writers):
/// started once, told to stop through one flag, and waited for. Each
/// thread's body polls `isStopping` between units of work.
public final class ServiceThreads: @unchecked Sendable {
    private let stopping = Locked(false)
    private let running = WaitGroup()

    public init() {}

    /// True once `stop` was called.
    public var isStopping: Bool { stopping.value }

    /// Starts `body` on a thread of its own, counted until it returns.
    public func start(_ body: @escaping @Sendable () -> Void) {
        running.add()
        startThread { [self] in
            body()
            running.done()
        }
    }

    /// Sets the flag, runs `wake` (to rouse threads waiting for work) and
    /// waits up to `seconds` for every thread; false if some are still running.
    @discardableResult
    public func stop(waitingUpTo seconds: Double = .infinity, wake: () -> Void = {}) -> Bool {
        stopping.withLock { $0 = true }
        wake()
        return running.wait(seconds: seconds)
    }
}
