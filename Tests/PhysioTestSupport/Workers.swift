import PhysioWorker

extension TestDatabase {
    /// A worker pool on this database, ready for tests (short polls and backoff).
    public func startWorkers(name: String = "test-worker", workers: Int = 2, lease: Double = 30) throws -> WorkerPool {
        var configuration = WorkerConfiguration(name: name)
        configuration.workers = workers
        configuration.leaseSeconds = lease
        configuration.pollSeconds = 0.2
        configuration.backoffBaseSeconds = 0.05
        configuration.backoffMaxSeconds = 0.2
        let pool = WorkerPool(databaseURL: url, configuration: configuration)
        pool.start()
        return pool
    }
}
