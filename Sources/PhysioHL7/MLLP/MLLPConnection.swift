import PhysioPlatform

/// One sender's connection: its framer, the answers it is owed in order,
/// and the bytes waiting to go out. Owned by one event loop; only
/// `complete` is called from other threads.
final class MLLPConnection: @unchecked Sendable {
    let descriptor: Int32
    let client: String
    let transport: MLLPTransport
    unowned let loop: MLLPEventLoop
    var framer: MLLPFramer

    // Event-loop thread only.
    var output: [UInt8] = []
    var outputOffset = 0
    var lastActivity: UInt64
    let openedAt: UInt64
    var frameStartedAt: UInt64 = 0
    /// The peer closed, or sent what is not MLLP: nothing more is read, and
    /// the connection closes once its answers are written.
    var inputEnded = false
    var registeredEvents: UInt32 = 0
    var handshakeWantsWrite = false

    // Shared with completing threads.
    private let lock = Lock()
    /// Answers owed, oldest first; nil until its answer is given (then an
    /// empty array stands for "no answer").
    private var owed: [[UInt8]?] = []
    private var firstOwed: UInt64 = 0
    private var nextSequence: UInt64 = 0
    private var closed = false

    init(descriptor: Int32, client: String, transport: MLLPTransport, loop: MLLPEventLoop, maxMessageBytes: Int, now: UInt64) {
        self.descriptor = descriptor
        self.client = client
        self.transport = transport
        self.loop = loop
        framer = MLLPFramer(maxMessageBytes: maxMessageBytes, strict: true)
        lastActivity = now
        openedAt = now
    }

    /// A slot for the next message's answer.
    func owe(receivedAt: UInt64) -> MLLPReply {
        let sequence: UInt64 = lock.withLock {
            owed.append(nil)
            defer { nextSequence += 1 }
            return nextSequence
        }
        return MLLPReply(connection: self, sequence: sequence, receivedAt: receivedAt)
    }

    /// Any thread: the answer for `sequence` is ready.
    func complete(_ sequence: UInt64, with framed: [UInt8]?) {
        let wake: Bool = lock.withLock {
            guard !closed, sequence >= firstOwed, Int(sequence - firstOwed) < owed.count else { return false }
            owed[Int(sequence - firstOwed)] = framed ?? []
            return sequence == firstOwed
        }
        if wake { loop.wake(self) }
    }

    /// Moves the answers ready at the head of the queue to the output.
    /// Returns how many are still owed.
    func collectReady() -> Int {
        lock.withLock {
            var taken = 0
            while taken < owed.count, let answer = owed[taken] {
                output.append(contentsOf: answer)
                taken += 1
            }
            if taken > 0 {
                owed.removeFirst(taken)
                firstOwed += UInt64(taken)
            }
            return owed.count
        }
    }

    var owedCount: Int { lock.withLock { owed.count } }

    /// Answers not yet written (owed or in the output).
    var hasWorkPending: Bool { owedCount > 0 || outputOffset < output.count }

    func markClosed() { lock.withLock { closed = true; owed.removeAll() } }
}
