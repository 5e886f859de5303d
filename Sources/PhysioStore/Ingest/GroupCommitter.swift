import PhysioCore

/// Group commit: batches submitted while a commit is in flight are written
/// together in the next one, so many small requests share one COPY and one
/// WAL flush. Each batch's completion runs only after the commit that holds
/// its rows (or with the error that stopped it).
///
/// With several writers, each case belongs to one writer (by a hash of its
/// id): two writers never update the same case row at once, so they run in
/// parallel instead of queueing on each other's row locks, and one case's
/// samples are committed in the order they arrived.
public final class GroupCommitter: @unchecked Sendable {
    public struct Options: Sendable {
        /// Writer connections (shards of the case space). One by default: on
        /// 2 cores a second writer only adds contention (single-sample
        /// requests 16.3k/s with one, 12.3k/s with two, 9.2k/s with four);
        /// more cores and a faster WAL device can use more.
        public var writers = 1
        /// Most rows in one commit.
        public var maxRows = 20_000
        /// How long a writer waits for more rows when it has fewer than
        /// `maxRows`; 0 commits at once (the wait is free under load anyway:
        /// new rows gather while the previous commit flushes).
        public var maxWaitMicros = 0
        /// Rows queued beyond this (over all writers) are refused (503) rather than buffered.
        public var maxQueuedRows = 400_000
        public init() {}
    }

    public typealias Completion = @Sendable (Result<IngestCounts, DatabaseError>) -> Void
    public typealias UnitCompletion = @Sendable (Result<[IngestCounts], DatabaseError>) -> Void

    /// Batches that must be committed together (one request, one FHIR transaction).
    struct Pending {
        let batches: [SampleBatch]
        let rows: Int
        let completion: UnitCompletion
    }

    public let options: Options
    private let url: String
    private let shards: [CommitShard]
    private let finished = WaitGroup()
    private let writer = VitalsWriter()
    private let statistics = Locked((commits: 0, rows: 0))

    public init(url: String, options: Options = Options()) {
        self.url = url
        self.options = options
        let writers = max(1, options.writers)
        shards = (0..<writers).map { _ in CommitShard(maxQueuedRows: max(1, options.maxQueuedRows / writers)) }
        finished.add(writers)
        for shard in shards {
            startThread { [self] in run(shard) }
        }
    }

    /// Queues `batch`; `completion` runs on a writer thread after the commit.
    public func submit(_ batch: SampleBatch, completion: @escaping Completion) {
        submit([batch]) { result in completion(result.map { $0[0] }) }
    }

    /// Queues batches that are committed in the same transaction, all or none.
    public func submit(_ batches: [SampleBatch], completion: @escaping UnitCompletion) {
        let pending = Pending(batches: batches, rows: batches.reduce(0) { $0 + $1.count }, completion: completion)
        let shard = shards[Self.shard(of: batches.first?.caseID ?? "", among: shards.count)]
        if !shard.enqueue(pending) {
            completion(.failure(.unavailable("ingest queue is full or shutting down")))
        }
    }

    /// Commits what is queued, then stops the writers.
    public func stop() {
        shards.forEach { $0.stop() }
        finished.wait()
    }

    /// Commits so far and rows they held (for metrics).
    public var totals: (commits: Int, rows: Int) { statistics.value }

    /// FNV-1a of the case id: stable across processes and runs.
    static func shard(of caseID: String, among count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in caseID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % UInt64(count))
    }

    private func run(_ shard: CommitShard) {
        defer { finished.done() }
        var connection: DatabaseConnection?
        while let group = shard.nextGroup(maxRows: options.maxRows, maxWaitMicros: options.maxWaitMicros) {
            do {
                let counts = try writeWithReconnect(group.flatMap(\.batches), connection: &connection)
                statistics.withLock { $0.commits += 1; $0.rows += counts.reduce(0) { $0 + $1.accepted } }
                var offset = 0
                for pending in group {
                    pending.completion(.success(Array(counts[offset..<(offset + pending.batches.count)])))
                    offset += pending.batches.count
                }
            } catch {
                let failure = error as? DatabaseError ?? DatabaseError(message: String(describing: error))
                if failure.isUnavailable { connection = nil }
                Log.warning("ingest commit failed", ["batches": .int(group.count), "error": .string(failure.description)])
                for pending in group { pending.completion(.failure(failure)) }
            }
        }
    }

    /// A connection kept across a database restart is dead; one that fails
    /// as unavailable is replaced and the group written once more (safe: the
    /// write is idempotent by natural key).
    private func writeWithReconnect(_ batches: [SampleBatch], connection: inout DatabaseConnection?) throws -> [IngestCounts] {
        if let existing = connection, !existing.checkAlive() { connection = nil }
        let reused = connection != nil
        if connection == nil { connection = try DatabaseConnection(url: url, applicationName: "physio-ingest") }
        do {
            return try writer.write(batches, on: connection!)
        } catch let error as DatabaseError where error.isUnavailable && reused {
            connection = try DatabaseConnection(url: url, applicationName: "physio-ingest")
            return try writer.write(batches, on: connection!)
        }
    }
}

/// One writer's queue.
final class CommitShard: @unchecked Sendable {
    private let condition = ConditionLock()
    private var queue: [GroupCommitter.Pending] = []
    private var queuedRows = 0
    private var stopping = false
    private let maxQueuedRows: Int

    init(maxQueuedRows: Int) { self.maxQueuedRows = maxQueuedRows }

    func enqueue(_ pending: GroupCommitter.Pending) -> Bool {
        condition.withLock {
            guard !stopping, queuedRows + pending.rows <= maxQueuedRows || queue.isEmpty else { return false }
            queue.append(pending)
            queuedRows += pending.rows
            condition.signal()
            return true
        }
    }

    func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
    }

    /// Waits for work, then takes up to `maxRows` (always at least one
    /// pending unit). nil once stopping and the queue is empty.
    func nextGroup(maxRows: Int, maxWaitMicros: Int) -> [GroupCommitter.Pending]? {
        condition.withLock {
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty { return nil }
            if maxWaitMicros > 0 && queuedRows < maxRows && !stopping {
                condition.wait(seconds: Double(maxWaitMicros) / 1e6)
            }
            var rows = 0
            var taken = 0
            for pending in queue {
                if taken > 0 && rows + pending.rows > maxRows { break }
                rows += pending.rows
                taken += 1
            }
            let group = Array(queue.prefix(taken))
            queue.removeFirst(taken)
            queuedRows -= rows
            return group
        }
    }
}
