import PhysioCore

/// Group commit: batches submitted while a commit is in flight are written
/// together in the next one, so many small requests share one COPY and one
/// WAL flush. Each batch's completion runs only after the commit that holds
/// its rows (or with the error that stopped it).
public final class GroupCommitter: @unchecked Sendable {
    public struct Options: Sendable {
        /// Concurrent writer connections.
        public var writers = 2
        /// Most rows in one commit.
        public var maxRows = 20_000
        /// How long a writer waits for more rows when it has fewer than
        /// `maxRows`; 0 commits at once (the wait is free under load anyway:
        /// new rows gather while the previous commit flushes).
        public var maxWaitMicros = 0
        /// Rows queued beyond this are refused (503) rather than buffered.
        public var maxQueuedRows = 400_000
        public init() {}
    }

    public typealias Completion = @Sendable (Result<IngestCounts, DatabaseError>) -> Void
    public typealias UnitCompletion = @Sendable (Result<[IngestCounts], DatabaseError>) -> Void

    /// Batches that must be committed together (one request, one FHIR transaction).
    private struct Pending {
        let batches: [SampleBatch]
        let rows: Int
        let completion: UnitCompletion
    }

    public let options: Options
    private let url: String
    private let condition = ConditionLock()
    private var queue: [Pending] = []
    private var queuedRows = 0
    private var stopping = false
    private let finished = WaitGroup()
    private let writer = VitalsWriter()
    private let statistics = Lock()
    private var commits = 0
    private var committedRows = 0

    public init(url: String, options: Options = Options()) {
        self.url = url
        self.options = options
        finished.add(options.writers)
        for _ in 0..<options.writers {
            startThread { [self] in run() }
        }
    }

    /// Queues `batch`; `completion` runs on a writer thread after the commit.
    public func submit(_ batch: SampleBatch, completion: @escaping Completion) {
        submit([batch]) { result in completion(result.map { $0[0] }) }
    }

    /// Queues batches that are committed in the same transaction, all or none.
    public func submit(_ batches: [SampleBatch], completion: @escaping UnitCompletion) {
        let rows = batches.reduce(0) { $0 + $1.count }
        let accepted: Bool = condition.withLock {
            guard !stopping, queuedRows + rows <= options.maxQueuedRows || queue.isEmpty else { return false }
            queue.append(Pending(batches: batches, rows: rows, completion: completion))
            queuedRows += rows
            condition.signal()
            return true
        }
        if !accepted {
            completion(.failure(.unavailable("ingest queue is full or shutting down")))
        }
    }

    /// Commits what is queued, then stops the writers.
    public func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
        finished.wait()
    }

    /// Commits so far and rows they held (for metrics).
    public var totals: (commits: Int, rows: Int) { statistics.withLock { (commits, committedRows) } }

    private func run() {
        defer { finished.done() }
        var connection: DatabaseConnection?
        while let group = nextGroup() {
            do {
                let counts = try writeWithReconnect(group.flatMap(\.batches), connection: &connection)
                statistics.withLock {
                    commits += 1
                    committedRows += counts.reduce(0) { $0 + $1.accepted }
                }
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

    /// Waits for work, then takes up to `maxRows` (always at least one batch).
    /// nil once stopping and the queue is empty.
    private func nextGroup() -> [Pending]? {
        condition.withLock {
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty { return nil }
            if options.maxWaitMicros > 0 && queuedRows < options.maxRows && !stopping {
                condition.wait(seconds: Double(options.maxWaitMicros) / 1e6)
            }
            var rows = 0
            var taken = 0
            for pending in queue {
                if taken > 0 && rows + pending.rows > options.maxRows { break }
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
