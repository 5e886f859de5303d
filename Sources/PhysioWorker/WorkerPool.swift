import PhysioCore
import PhysioStore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Worker threads that claim inference jobs from the queue and process them,
/// and one listener that wakes them on NOTIFY, reloads the model when
/// another is activated, and rescues jobs whose lease ran out.
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
    private let stopping = Locked(false)
    private let running = WaitGroup()
    private let counters = Locked(Statistics())
    /// Called with each finished job's detection latency (µs), for metrics.
    private let onLatency: (@Sendable (Int64) -> Void)?

    public init(databaseURL: String, configuration: WorkerConfiguration, onLatency: (@Sendable (Int64) -> Void)? = nil) {
        self.url = databaseURL
        self.configuration = configuration
        self.onLatency = onLatency
        queue = JobQueue(workerID: configuration.name, leaseSeconds: configuration.leaseSeconds,
                         backoffBaseSeconds: configuration.backoffBaseSeconds, backoffMaxSeconds: configuration.backoffMaxSeconds)
    }

    public var statistics: Statistics { counters.value }

    /// Starts the listener and the workers. Fails only if the database
    /// cannot be reached at all; later outages are waited out.
    public func start() throws {
        let connection = try DatabaseConnection(url: url, applicationName: "physio-worker")
        try model.reload(on: connection)
        let aggregates = try AggregateMode.detect(on: connection)
        running.add(configuration.workers + 1)
        startThread { [self] in listen(); running.done() }
        for index in 0..<configuration.workers {
            startThread { [self] in work(index: index, aggregates: aggregates); running.done() }
        }
        Log.info("workers started", ["workers": .int(configuration.workers), "name": .string(configuration.name),
                                     "aggregates": .string(aggregates == .tables ? "tables" : "timescaledb")])
    }

    /// Lets each worker finish the case it is on, then stops.
    public func stop() {
        stopping.withLock { $0 = true }
        wakeup.signal()
        running.wait(seconds: configuration.leaseSeconds)
    }

    private var isStopping: Bool { stopping.value }

    // MARK: - workers

    private func work(index: Int, aggregates: AggregateMode) {
        let processor = JobProcessor(queue: queue, episodes: EpisodeBuilder(maxGapSeconds: configuration.episodeGapSeconds),
                                     aggregates: aggregates)
        var connection: DatabaseConnection?
        var waitingForModelSince: UInt64?
        while !isStopping {
            let seen = wakeup.current
            guard let loaded = model.current else {
                if waitingForModelSince == nil || Clock.monotonicNanos() - waitingForModelSince! > 60_000_000_000 {
                    if index == 0 { Log.warning("no active model: jobs stay queued until one is registered (physio train --register)") }
                    waitingForModelSince = Clock.monotonicNanos()
                }
                wakeup.wait(after: seen, seconds: configuration.pollSeconds)
                continue
            }
            waitingForModelSince = nil
            do {
                if connection == nil || connection?.checkAlive() == false {
                    connection = try DatabaseConnection(url: url, applicationName: "physio-worker")
                }
                let jobs = try queue.claim(limit: configuration.claimBatch, on: connection!)
                if jobs.isEmpty {
                    wakeup.wait(after: seen, seconds: configuration.pollSeconds)
                    continue
                }
                process(jobs, loaded: loaded, processor: processor, connection: &connection)
            } catch {
                connection = nil
                Log.warning("worker cannot reach the database; retrying", ["error": .string(String(describing: error))])
                wakeup.wait(after: seen, seconds: configuration.pollSeconds)
            }
        }
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
            let state = (try? queue.fail(job, error: message, on: connection)) ?? "unrecorded"
            Log.warning("job failed", ["job_id": .int(Int(job.id)), "case_id": .string(job.caseID), "attempt": .int(job.attempt),
                                       "state": .string(state), "error": .string(message)])
        }
    }

    // MARK: - listener

    private func listen() {
        var connection: DatabaseConnection?
        var lastRescue: UInt64 = 0
        while !isStopping {
            do {
                if connection == nil {
                    let fresh = try DatabaseConnection(url: url, applicationName: "physio-listener")
                    try fresh.execute("LISTEN physio_jobs; LISTEN physio_models")
                    connection = fresh
                    try model.reload(on: fresh)   // an activation may have happened while we were away
                    wakeup.signal()
                }
                let now = Clock.monotonicNanos()
                if now - lastRescue > UInt64(configuration.leaseSeconds / 2 * 1e9) {
                    lastRescue = now
                    let rescued = try queue.rescue(on: connection!)
                    if rescued > 0 {
                        Log.warning("rescued jobs whose lease expired", ["count": .int(rescued)])
                        wakeup.signal()
                    }
                }
                guard waitReadable(connection!.socket, seconds: min(configuration.pollSeconds, 0.5)) else { continue }
                let notifications = try connection!.drainNotifications()
                if notifications.contains(where: { $0.channel == "physio_models" }) { try model.reload(on: connection!) }
                if notifications.contains(where: { $0.channel == "physio_jobs" }) { wakeup.signal() }
            } catch {
                connection = nil
                Log.warning("listener lost the database; reconnecting", ["error": .string(String(describing: error))])
                Clock.sleep(seconds: configuration.pollSeconds)
            }
        }
    }

    private func waitReadable(_ socket: Int32, seconds: Double) -> Bool {
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, Int32(seconds * 1000)) > 0
    }
}
