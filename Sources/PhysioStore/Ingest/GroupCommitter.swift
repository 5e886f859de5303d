import PhysioCore
import PhysioPlatform

/// Group commit: batches submitted while a commit is in flight are written
/// together in the next one, so many small requests share one COPY and one
/// WAL flush. Each batch's completion runs only after the commit that holds
/// its rows (or with the error that stopped it).
///
/// With several writers (CommitQueue), a case is in one writer's commit at
/// a time and its samples commit in the order they arrived; writers beyond
/// the first join only when many rows wait.
public final class GroupCommitter: @unchecked Sendable {
    public struct Options: Sendable {
        /// Writer connections. Two by default: the second joins only at
        /// `parallelRows`; on 2 cores it lifted batched ingest from 126–145k
        /// to 166–216k samples/s (one writer's PostgreSQL backend was the
        /// bottleneck), while splitting small single-sample groups between
        /// two writers cost 15–25 % (docs/benchmarks.md).
        public var writers = 2
        /// Rows that must be waiting before writers beyond the first take any.
        public var parallelRows = 256
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
    struct Pending {
        let unit: IngestUnit
        let rows: Int
        let caseIDs: Set<String>
        let completion: UnitCompletion

        init(unit: IngestUnit, completion: @escaping UnitCompletion) {
            self.unit = unit
            rows = unit.rows
            caseIDs = Set(unit.batches.map(\.caseID))
            self.completion = completion
        }
    }

    public let options: Options
    private let url: String
    private let queue: CommitQueue
    private let threads = ServiceThreads()
    private let writer = VitalsWriter()
    private let statistics = Locked((commits: 0, rows: 0))

    public init(url: String, options: Options = Options()) {
        self.url = url
        self.options = options
        let writers = max(1, options.writers)
        queue = CommitQueue(maxQueuedRows: max(1, options.maxQueuedRows), parallelRows: options.parallelRows)
        for writer in 0..<writers {
            threads.start { [self] in run(writer: writer) }
        }
    }

    /// Queues `batch`; `completion` runs on a writer thread after the commit.
    public func submit(_ batch: SampleBatch, completion: @escaping Completion) {
        submit([batch]) { result in completion(result.map { $0[0] }) }
    }

    /// Queues batches that are committed in the same transaction, all or
    /// none; with `refusesConflicts`, a conflict with a stored value refuses
    /// them all (counts marked `refused`) instead of keeping the stored value.
    public func submit(_ batches: [SampleBatch], refusesConflicts: Bool = false, completion: @escaping UnitCompletion) {
        if !queue.enqueue(Pending(unit: IngestUnit(batches, refusesConflicts: refusesConflicts), completion: completion)) {
            completion(.failure(.unavailable("ingest queue is full or shutting down")))
        }
    }

    /// Commits what is queued, then stops the writers.
    public func stop() {
        threads.stop { queue.stop() }
    }

    /// Commits so far and rows they held (for metrics).
    public var totals: (commits: Int, rows: Int) { statistics.value }

    private func run(writer: Int) {
        var connection: DatabaseConnection?
        while let group = queue.nextGroup(writer: writer, maxRows: options.maxRows, maxWaitMicros: options.maxWaitMicros) {
            defer { queue.release(writer: writer) }
            do {
                let counts = try writeWithReconnect(group.map(\.unit), connection: &connection)
                statistics.withLock { $0.commits += 1; $0.rows += counts.joined().reduce(0) { $0 + $1.accepted } }
                for (pending, unitCounts) in zip(group, counts) { pending.completion(.success(unitCounts)) }
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
    private func writeWithReconnect(_ units: [IngestUnit], connection: inout DatabaseConnection?) throws -> [[IngestCounts]] {
        if let existing = connection, !existing.checkAlive() { connection = nil }
        let reused = connection != nil
        if connection == nil { connection = try DatabaseConnection(url: url, applicationName: "physio-ingest") }
        do {
            return try writer.write(units: units, on: connection!)
        } catch let error as DatabaseError where error.isUnavailable && reused {
            connection = try DatabaseConnection(url: url, applicationName: "physio-ingest")
            return try writer.write(units: units, on: connection!)
        }
    }
}

