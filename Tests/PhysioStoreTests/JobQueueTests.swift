import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

/// The queue's statements on their own: claims, leases and their rescue, backoff.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct JobQueueTests {
    static func enqueue(_ database: TestDatabase, jobs: Int, caseID: String = "q") throws {
        try database.connect().execute("""
            INSERT INTO inference_jobs (case_id, ts_from, ts_to, samples)
            SELECT '\(caseID)', to_timestamp(1795600000 + g), to_timestamp(1795600000 + g), 1 FROM generate_series(1, \(jobs)) g
            """)
    }

    @Test func twoWorkersNeverHoldTheSameJob() throws {
        let database = try TestDatabase.create()
        try Self.enqueue(database, jobs: 600)
        let claimed = Locked<[String: [Int64]]>([:])
        let done = WaitGroup()
        for name in ["a", "b", "c"] {
            done.add()
            startThread {
                defer { done.done() }
                guard let connection = try? database.connect() else { return }
                let queue = JobQueue(workerID: name)
                while let jobs = try? queue.claim(limit: 7, on: connection), !jobs.isEmpty {
                    claimed.withLock { $0[name, default: []] += jobs.map(\.id) }
                }
            }
        }
        #expect(done.wait(seconds: 60))
        let all = claimed.value.values.flatMap { $0 }
        #expect(all.count == 600)
        #expect(Set(all).count == 600)
        #expect(claimed.value.count >= 2, "more than one worker should have claimed jobs")
        #expect(try database.count("SELECT count(*) FROM inference_jobs WHERE state = 'running' AND attempts = 1") == 600)
    }

    @Test func anExpiredLeaseIsTakenOver() throws {
        let database = try TestDatabase.create()
        try Self.enqueue(database, jobs: 1)
        let connection = try database.connect()
        let stalled = JobQueue(workerID: "stalled", leaseSeconds: 0.2)
        let rescuer = JobQueue(workerID: "rescuer")
        let job = try #require(stalled.claim(limit: 10, on: connection).first)
        #expect(try rescuer.claim(limit: 10, on: connection).isEmpty, "leased job must not be claimable")
        #expect(try rescuer.rescue(on: connection) == 0, "lease not expired yet")
        Clock.sleep(seconds: 0.4)
        #expect(try rescuer.rescue(on: connection) == 1)
        let taken = try rescuer.claim(limit: 10, on: connection)
        #expect(taken.map(\.id) == [job.id])
        #expect(taken.first?.attempt == 2)
        // The stalled worker, waking up, no longer owns it and must not write results.
        try connection.execute("BEGIN")
        #expect(try stalled.take([job.id], on: connection).isEmpty)
        try connection.execute("ROLLBACK")
        #expect(try database.scalar("SELECT last_error FROM inference_jobs")?.contains("lease expired") == true)
    }

    @Test func backoffGrowsExponentiallyWithJitterAndIsCapped() {
        let queue = JobQueue(workerID: "x", backoffBaseSeconds: 1, backoffMaxSeconds: 60)
        for attempt in 1...10 {
            let expected = min(60, Double(1 << (attempt - 1)))
            let delays = (0..<50).map { _ in queue.backoffSeconds(afterAttempt: attempt) }
            #expect(delays.allSatisfy { $0 >= expected / 2 && $0 <= expected }, "attempt \(attempt): \(delays.min()!)…\(delays.max()!)")
            #expect(Set(delays).count > 1, "jittered")
        }
    }
}
