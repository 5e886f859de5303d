/// How a worker pool runs.
public struct WorkerConfiguration: Sendable {
    /// Worker threads, each with its own database connection.
    public var workers = 2
    /// Most jobs claimed in one go (they are then grouped by case).
    public var claimBatch = 64
    /// How long a claimed job belongs to its worker; after that another may take it.
    public var leaseSeconds = 30.0
    /// A worker whose claim was not a full batch claims again no sooner
    /// than this after it: at 1 Hz per monitor, jobs arrive one sample at a
    /// time, and a transaction's fixed cost, not its samples, dominates.
    /// Claiming at once made batches of 8 jobs that kept both cores busy
    /// and delayed ingest; waiting gathers bigger ones (docs/benchmarks.md).
    public var gatherSeconds = 0.05
    /// Idle workers look for jobs this often even without a notification.
    public var pollSeconds = 1.0
    /// Retry backoff: base · 2^(attempt−1), jittered, capped.
    public var backoffBaseSeconds = 1.0
    public var backoffMaxSeconds = 600.0
    /// Anomalous samples closer than this belong to one episode.
    public var episodeGapSeconds = 30.0
    /// Names this process's leases (`locked_by`), e.g. host-pid.
    public var name: String

    public init(name: String) { self.name = name }
}
