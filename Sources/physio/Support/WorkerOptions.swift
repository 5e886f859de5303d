import ArgumentParser
import PhysioPlatform
import PhysioWorker
#if canImport(Glibc)
import Glibc
#endif

/// Worker pool settings shared by `serve` and `work`.
struct WorkerOptions: ParsableArguments {
    @Option(help: "Inference worker threads (env PHYSIO_WORKERS); 0 runs no workers in `serve`.")
    var workers = Environment.int("PHYSIO_WORKERS", default: 2)
    @Option(help: "Most jobs a worker claims at once (env PHYSIO_CLAIM_BATCH).")
    var claimBatch = Environment.int("PHYSIO_CLAIM_BATCH", default: 64)
    @Option(help: "Seconds a worker waits after a claim that was not a full batch, so jobs gather (env PHYSIO_GATHER_SECONDS).")
    var gatherSeconds = Environment.double("PHYSIO_GATHER_SECONDS", default: 0.05)
    @Option(help: "Seconds a claimed job is leased before another worker may take it (env PHYSIO_LEASE_SECONDS).")
    var leaseSeconds = Environment.double("PHYSIO_LEASE_SECONDS", default: 30)
    @Option(help: "Seconds between queue polls when no notification arrives (env PHYSIO_POLL_SECONDS).")
    var pollSeconds = Environment.double("PHYSIO_POLL_SECONDS", default: 1)
    @Option(help: "Anomalous samples at most this many seconds apart form one episode (env PHYSIO_EPISODE_GAP_SECONDS).")
    var episodeGapSeconds = Environment.double("PHYSIO_EPISODE_GAP_SECONDS", default: 30)

    func validate() throws {
        guard workers >= 0, claimBatch >= 1, gatherSeconds >= 0, leaseSeconds > 0, pollSeconds > 0, episodeGapSeconds >= 0 else {
            throw ValidationError("--workers ≥ 0, --claim-batch ≥ 1, --gather-seconds ≥ 0, and positive --lease-seconds and --poll-seconds")
        }
    }

    var configuration: WorkerConfiguration {
        var hostname = [CChar](repeating: 0, count: 256)
        gethostname(&hostname, hostname.count)
        let host = String(nulTerminated: hostname)
        var configuration = WorkerConfiguration(name: "\(host)-\(getpid())")
        configuration.workers = workers
        configuration.claimBatch = claimBatch
        configuration.gatherSeconds = gatherSeconds
        configuration.leaseSeconds = leaseSeconds
        configuration.pollSeconds = pollSeconds
        configuration.episodeGapSeconds = episodeGapSeconds
        return configuration
    }
}
