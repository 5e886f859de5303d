import PhysioCore
import PhysioStore
import PhysioPlatform

/// Worker threads that claim inference jobs from the queue and process them.
/// The process's notification listener wakes them when jobs are queued,
/// reloads the model when another is activated, and rescues jobs whose
/// lease ran out.
public final class WorkerPool: @unchecked Sendable {
    public struct Statistics: Sendable {
        public var jobs = 0
        public var samples = 0
        public var failures = 0
    }

    public let configuration: WorkerConfiguration
    public let model = ActiveModel()
    private let url: String
    private let queue: JobQueue
    private let wakeup = Wakeup()
    private let threads = ServiceThreads()
    private let listener: NotificationListener
    /// A listener made here (none was given) is started and stopped here.
    private let ownsListener: Bool
    private let counters = Locked(Statistics())
    /// Called with each finished job's detection latency (µs), for metrics.
    private let onLatency: (@Sendable (Int64) -> Void)?

    /// `listener`: the process's, shared with live streams; nil makes one for this pool.
    public init(databaseURL: String, configuration: WorkerConfiguration, listener: NotificationListener? = nil,
                onLatency: (@Sendable (Int64) -> Void)? = nil) {
        self.url = databaseURL
        self.configuration = configuration
        self.onLatency = onLatency
        self.listener = listener ?? NotificationListener(databaseURL: databaseURL, retrySeconds: configuration.pollSeconds)
        ownsListener = listener == nil
        queue = JobQueue(workerID: configuration.name, leaseSeconds: configuration.leaseSeconds,
                         backoffBaseSeconds: configuration.backoffBaseSeconds, backoffMaxSeconds: configuration.backoffMaxSeconds)
    }

    public var statistics: Statistics { counters.value }

    /// Starts the listener and the workers. A database that is not there
    /// yet is waited for: the workers connect, and the listener loads the
    /// model, when it appears (a host may boot before its database).
    public func start() {
        subscribe()
        if ownsListener { listener.start() }
        for index in 0..<configuration.workers {
            threads.start { [self] in work(index: index) }
        }
        Log.info("workers started", ["workers": .int(configuration.workers), "name": .string(configuration.name)])
    }

    /// Lets each worker finish the case it is on, then stops.
    public func stop() {
        threads.stop(waitingUpTo: configuration.leaseSeconds) { wakeup.signal() }
        if ownsListener { listener.stop() }
    }

    private var isStopping: Bool { threads.isStopping }

    // MARK: - workers

    private func work(index: Int) {
        // Known once the database first answers (plain tables or TimescaleDB).
        var processor: JobProcessor?
        var connection: DatabaseConnection?
        var unreachableSince: UInt64?
        var waitingForModelSince: UInt64?
        while !isStopping {
            let seen = wakeup.current
            do {
                if connection == nil || connection?.checkAlive() == false {
                    let opened = try DatabaseConnection(url: url, applicationName: "physio-worker")
                    // A later release's schema: scoring with this release's queries could write what it no longer means.
                    let schema = try Migrator().status(opened)
                    if schema.isNewer { throw DatabaseError(message: schema.problem!) }
                    connection = opened
                }
                if processor == nil {
                    let aggregates = try AggregateMode.detect(on: connection!)
                    processor = JobProcessor(queue: queue, episodes: EpisodeBuilder(maxGapSeconds: configuration.episodeGapSeconds),
                                             aggregates: aggregates)
                    if index == 0 {
                        Log.info("workers connected", ["aggregates": .string(aggregates == .tables ? "tables" : "timescaledb")])
                    }
                }
                unreachableSince = nil
                // The listener loads the model (and reloads it on NOTIFY) but may not have
                // yet: a worker starting without one loads it itself, once, not every poll.
                if model.current == nil && waitingForModelSince == nil { try model.reload(on: connection!) }
                guard let loaded = model.current else {
                    if waitingForModelSince == nil || Clock.monotonicNanos() - waitingForModelSince! > 60_000_000_000 {
                        if index == 0 { Log.warning("no active model: jobs stay queued until one is registered (physio train --register)") }
                        waitingForModelSince = Clock.monotonicNanos()
                    }
                    wakeup.wait(after: seen, seconds: configuration.pollSeconds)
                    continue
                }
                waitingForModelSince = nil
                let claimedAt = Clock.monotonicNanos()
                let jobs = try queue.claim(limit: configuration.claimBatch, on: connection!)
                if jobs.isEmpty {
                    wakeup.wait(after: seen, seconds: configuration.pollSeconds)
                    continue
                }
                process(jobs, loaded: loaded, processor: processor!, connection: &connection)
                if jobs.count < configuration.claimBatch { gather(since: claimedAt) }
            } catch {
                connection = nil
                // Once per outage per worker, then every minute: a database
                // away for hours should not fill the log a line a second.
                let now = Clock.monotonicNanos()
                if unreachableSince == nil || now - unreachableSince! > 60_000_000_000 {
                    Log.warning("worker cannot reach the database; retrying", ["error": .string(String(describing: error))])
                    unreachableSince = now
                }
                wakeup.wait(after: seen, seconds: configuration.pollSeconds)
            }
        }
    }

    /// Lets jobs gather until `gatherSeconds` after the last claim (not when stopping).
    private func gather(since claimedAt: UInt64) {
        let elapsed = Double(Clock.monotonicNanos() - claimedAt) / 1e9
        if !isStopping && elapsed < configuration.gatherSeconds { Clock.sleep(seconds: configuration.gatherSeconds - elapsed) }
    }

    /// All claimed jobs in one transaction; if that fails for a reason other
    /// than the database going away, case by case, so one bad case cannot
    /// hold back the others, and each failing case's jobs are retried later.
    private func process(_ jobs: [InferenceJob], loaded: ActiveModel.Loaded, processor: JobProcessor,
                         connection: inout DatabaseConnection?) {
        do {
            record(try processor.process(jobs, with: loaded, on: connection!))
            return
        } catch let error as DatabaseError where error.isUnavailable {
            interrupted(jobs, error: error, connection: &connection)
            return
        } catch {
            if Set(jobs.map(\.caseID)).count == 1 { return failed(jobs, error: error, connection: connection!) }
            Log.warning("claim failed; redoing it case by case", ["jobs": .int(jobs.count), "error": .string(String(describing: error))])
        }
        for caseJobs in Dictionary(grouping: jobs, by: \.caseID).values {
            if isStopping {
                try? queue.release(caseJobs.map(\.id), on: connection!)
                continue
            }
            do {
                record(try processor.process(caseJobs, with: loaded, on: connection!))
            } catch let error as DatabaseError where error.isUnavailable {
                return interrupted(caseJobs, error: error, connection: &connection)
            } catch {
                failed(caseJobs, error: error, connection: connection!)
            }
        }
    }

    private func record(_ outcome: JobProcessor.Outcome) {
        counters.withLock { $0.jobs += outcome.jobs; $0.samples += outcome.samples }
        if let onLatency { outcome.latenciesMicros.forEach(onLatency) }
    }

    /// The database went away mid-job: nothing can be recorded now; the
    /// lease runs out and the jobs are rescued.
    private func interrupted(_ jobs: [InferenceJob], error: DatabaseError, connection: inout DatabaseConnection?) {
        connection = nil
        Log.warning("jobs interrupted: database unavailable", ["jobs": .int(jobs.count), "error": .string(error.description)])
    }

    private func failed(_ jobs: [InferenceJob], error: Error, connection: DatabaseConnection) {
        let message = String(describing: error)
        counters.withLock { $0.failures += jobs.count }
        for job in jobs {
            let state: String
            do { state = try queue.fail(job, error: message, on: connection)?.rawValue ?? "lost" } catch { state = "unrecorded" }
            Log.warning("job failed", ["job_id": .int(Int(job.id)), "case_id": .string(job.caseID), "attempt": .int(job.attempt),
                                       "state": .string(state), "error": .string(message)])
        }
    }

    // MARK: - notifications

    private func subscribe() {
        let model = self.model, wakeup = self.wakeup, queue = self.queue
        listener.onListening { connection in
            guard let connection else { return }
            try model.reload(on: connection)   // an activation may have happened while no one listened
            wakeup.signal()
        }
        listener.subscribe(.models) { _, connection in try model.reload(on: connection) }
        listener.subscribe(.jobs) { _, _ in wakeup.signal() }
        // Live samples always find their day's partition (plain PostgreSQL).
        listener.every(3600) { connection in
            guard let connection else { return }
            let added = try DayPartitions().extend(on: connection)
            if added > 0 { Log.info("day partitions created", ["count": .int(added)]) }
        }
        listener.every(configuration.leaseSeconds / 2) { connection in
            guard let connection else { return }
            let rescued = try queue.rescue(on: connection)
            if rescued > 0 {
                Log.warning("rescued jobs whose lease expired", ["count": .int(rescued)])
                wakeup.signal()
            }
        }
    }
}
