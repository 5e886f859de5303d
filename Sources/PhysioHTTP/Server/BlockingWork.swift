import PhysioPlatform

/// Threads for requests that an event-loop thread could not answer without
/// waiting (see `EventLoopThread`): the router hands the request here, its
/// connection suspended, and it runs again where waiting is allowed. The
/// queue is bounded: past it the request is answered 503 at once.
public final class BlockingWork: @unchecked Sendable {
    public typealias Work = @Sendable () -> Void

    private let state = ConditionLock()
    private var queue: [Work] = []
    private var head = 0
    private var stopping = false
    private let queueLimit: Int
    private let finished = WaitGroup()
    private var runningCount = 0
    private var handedOff = 0

    public init(threads: Int, queueLimit: Int) {
        self.queueLimit = max(1, queueLimit)
        finished.add(max(1, threads))
        for _ in 0..<max(1, threads) {
            startThread { [self] in
                run()
                finished.done()
            }
        }
    }

    /// Queues `work`; false when the queue is full or stopping (answer 503 then).
    public func submit(_ work: @escaping Work) -> Bool {
        state.withLock {
            guard !stopping, queue.count - head < queueLimit else { return false }
            queue.append(work)
            handedOff += 1
            state.signal()
            return true
        }
    }

    /// Requests handed over so far (for metrics).
    public var handedOffCount: Int { state.withLock { handedOff } }

    /// Runs what is queued, then ends the threads.
    public func stop() {
        state.withLock {
            stopping = true
            state.broadcast()
        }
        finished.wait(seconds: 10)
    }

    private func run() {
        while let work = next() { work() }
    }

    private func next() -> Work? {
        state.withLock {
            while head == queue.count {
                if stopping { return nil }
                state.wait()
            }
            let work = queue[head]
            head += 1
            if head == queue.count || head > 1024 {
                queue.removeFirst(head)
                head = 0
            }
            return work
        }
    }
}
