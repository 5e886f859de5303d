import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioWorker
import PhysioPlatform

/// The metrics `/metrics` shows, wired to the parts that produce them.
public final class ServerMetrics: @unchecked Sendable {
    public let registry = MetricsRegistry()
    let ingestAccepted: Counter
    let ingestDuplicates: Counter
    let ingestMerged: Counter
    let ingestConflicts: Counter
    let ingestRejected: Counter
    /// Seconds from a job being queued (its samples committed) to its scores committed.
    public let detectionLatency: Histogram

    init() {
        detectionLatency = registry.histogram("physio_detection_latency_seconds",
                                              help: "From samples committed to their scores committed, in this process's workers.",
                                              buckets: Histogram.latencyBuckets)
        ingestAccepted = registry.counter("physio_ingest_samples_total", help: "Samples stored.", labels: [("result", "accepted")])
        ingestDuplicates = registry.counter("physio_ingest_samples_total", help: "Samples stored.", labels: [("result", "duplicate")])
        ingestMerged = registry.counter("physio_ingest_samples_total", help: "Samples stored.", labels: [("result", "merged")])
        ingestConflicts = registry.counter("physio_ingest_samples_total", help: "Samples stored.", labels: [("result", "conflict")])
        ingestRejected = registry.counter("physio_ingest_rejected_requests_total", help: "Ingest requests refused for bad input.")
    }

    /// Each sample counted under what became of it (a counter takes a lock:
    /// only those that change, usually one per request).
    func recordIngest(_ counts: IngestCounts) {
        if counts.accepted > 0 { ingestAccepted.add(counts.accepted) }
        if counts.merged > 0 { ingestMerged.add(counts.merged) }
        if counts.duplicates > 0 { ingestDuplicates.add(counts.duplicates) }
        if counts.conflicts > 0 { ingestConflicts.add(counts.conflicts) }
    }

    /// Per route and method: a latency histogram and counts by status.
    func record(_ request: RequestRecord) {
        let (duration, requests) = routeMetrics(request)
        duration.observe(Double(request.durationNanos) / 1e9)
        requests.add()
    }

    /// The registry is searched once per route, method and status; later
    /// requests find their metrics by one dictionary lookup.
    private func routeMetrics(_ request: RequestRecord) -> (Histogram, Counter) {
        let key = RouteKey(route: request.route, method: Self.methodLabel(request.method), status: request.status)
        if let known = byRoute.withLock({ $0[key] }) { return known }
        let metrics = (registry.histogram("physio_http_request_duration_seconds", help: "Time from request headers to the last byte queued.",
                                          labels: [("route", key.route), ("method", key.method)],
                                          buckets: Histogram.latencyBuckets),
                       registry.counter("physio_http_requests_total", help: "Requests answered.",
                                        labels: [("route", key.route), ("method", key.method), ("status", String(key.status))]))
        byRoute.withLock { $0[key] = metrics }
        return metrics
    }

    /// The method as a label: HTTP's own methods by name, any other `other`.
    /// A client chooses the method, and a label per invented one would grow
    /// the registry (and every scrape) without bound.
    static func methodLabel(_ method: String) -> String {
        standardMethods.contains(method) ? method : "other"
    }

    private static let standardMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"]

    private struct RouteKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private let byRoute = Locked<[RouteKey: (Histogram, Counter)]>([:])

    /// Reads what the database says (the queue, whether it answers) before a scrape.
    private(set) var refreshDatabase: @Sendable () throws -> Void = {}

    /// The Prometheus text of every metric, the database's read first.
    func render() throws -> String {
        try refreshDatabase()
        return registry.render()
    }

    /// Database state, the queue and the ingest writers, read at scrape time.
    func observe(pool: ConnectionPool, committer: GroupCommitter) {
        let queue = Locked(QueueStatistics())
        let databaseUp = Locked(false)
        refreshDatabase = {
            do {
                let statistics = try pool.withConnection { try QueueStatistics.read(on: $0) }
                queue.withLock { $0 = statistics }
                databaseUp.withLock { $0 = true }
            } catch let wait as WouldBlock {
                throw wait   // the scrape runs again where it may wait for a connection
            } catch {
                databaseUp.withLock { $0 = false }
            }
        }
        registry.gauge("physio_database_up", help: "1 when the database answered the last scrape.") { databaseUp.value ? 1 : 0 }
        registry.gauge("physio_database_connections", help: "Open connections of the request pool.") { Double(pool.openConnections) }
        for state in ["available", "running", "failed"] {
            registry.gauge("physio_queue_jobs", help: "Inference jobs by state (failed = dead letters).", labels: [("state", state)]) {
                let statistics = queue.value
                return Double(state == "available" ? statistics.available : state == "running" ? statistics.running : statistics.failed)
            }
        }
        registry.gauge("physio_queue_oldest_job_age_seconds", help: "Age of the oldest job not done yet: the scoring lag.") {
            queue.value.oldestAgeSeconds
        }
        registry.counter("physio_ingest_commits_total", help: "Group commits written.") { Double(committer.totals.commits) }
        registry.counter("physio_ingest_committed_samples_total", help: "Samples in those commits.") { Double(committer.totals.rows) }
    }

    /// The kept read answers: their memory, and requests served from them or built.
    func observe(answers: AnswerCache) {
        registry.gauge("physio_read_cache_bytes", help: "Memory held by kept /vitals and /anomalies answers.") { Double(answers.statistics.bytes) }
        for result in ["hit", "miss"] {
            registry.counter("physio_read_cache_requests_total", help: "Read answers served from memory (hit) or built (miss).",
                             labels: [("result", result)]) {
                let statistics = answers.statistics
                return Double(result == "hit" ? statistics.hits : statistics.misses)
            }
        }
    }

    /// Open client connections, those cut for not delivering a request
    /// within the deadline (slow or silent clients), and those refused over the limit.
    func observe(http: HTTPServer) {
        registry.gauge("physio_http_connections", help: "Open client connections.") { Double(http.currentConnections) }
        registry.counter("physio_http_request_deadline_closed_total",
                         help: "Connections closed for not delivering a complete request within the request deadline.") {
            Double(http.connectionsPastDeadline)
        }
        registry.counter("physio_http_connections_refused_total",
                         help: "Connections closed as accepted because --connection-limit connections were open.") {
            Double(http.connectionsRefused)
        }
    }

    /// Requests an HTTP thread handed to threads that may wait for a database connection.
    func observe(blockingWork: BlockingWork) {
        registry.counter("physio_http_requests_handed_off_total",
                         help: "Requests run again off the HTTP threads because they would have waited there for a database connection.") {
            Double(blockingWork.handedOffCount)
        }
    }

    /// Exports running and waiting, and those refused or given up (each with Retry-After).
    func observe(exports: ExportCapacity) {
        for state in ["running", "waiting"] {
            registry.gauge("physio_exports", help: "Exports running (each on an export connection) or waiting for one.",
                           labels: [("state", state)]) {
                let statistics = exports.statistics
                return Double(state == "running" ? statistics.running : statistics.waiting)
            }
        }
        registry.counter("physio_exports_started_total", help: "Exports given an export connection.") { Double(exports.statistics.started) }
        for reason in ["token_limit", "queue_full", "queue_timeout"] {
            registry.counter("physio_exports_refused_total",
                             help: "Exports refused: the token's limit (429), a full queue or a wait too long (503).",
                             labels: [("reason", reason)]) {
                let statistics = exports.statistics
                return Double(reason == "token_limit" ? statistics.refusedPerToken
                              : reason == "queue_full" ? statistics.refusedQueueFull : statistics.timedOut)
            }
        }
    }

    /// An in-process worker pool: its throughput and detection latency.
    public func observe(workers: WorkerPool) {
        registry.counter("physio_worker_jobs_total", help: "Inference jobs done by this process's workers.") { Double(workers.statistics.jobs) }
        registry.counter("physio_worker_samples_scored_total", help: "Samples scored by this process's workers.") { Double(workers.statistics.samples) }
        registry.counter("physio_worker_failures_total", help: "Failed job attempts in this process.") { Double(workers.statistics.failures) }
    }

}
