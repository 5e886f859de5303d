import ArgumentParser
import PhysioCore
import PhysioWorker
import PhysioPlatform

struct Work: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run inference workers only (no HTTP): claim jobs, score samples, write scores and episodes.",
        discussion: "Run as many as you like against one database; SKIP LOCKED shares the queue. SIGTERM, SIGINT or SIGHUP: finish the current case, exit 0.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var workerOptions: WorkerOptions

    func validate() throws {
        guard workerOptions.workers >= 1 else { throw ValidationError("physio work needs --workers ≥ 1") }
    }

    func run() throws {
        Signals.blockTermination()
        let pool = WorkerPool(databaseURL: try database.url(), configuration: workerOptions.configuration)
        pool.start()
        let signal = Signals.waitForTermination()
        Log.info("shutting down", ["signal": .int(Int(signal))])
        pool.stop()
        // What this process did, for operators and the scale-out test.
        let done = pool.statistics
        Log.info("workers stopped", ["jobs": .int(done.jobs), "samples": .int(done.samples), "failures": .int(done.failures)])
    }
}
