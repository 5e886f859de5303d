import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing
import PhysioPlatform

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct GroupCommitterTests {
    static func batch(_ caseID: String, from start: Int64, count: Int) -> SampleBatch {
        var batch = SampleBatch(caseID: caseID)
        for i in 0..<count {
            let row = batch.appendRow(timestamp: (start + Int64(i)) * 1_000_000)
            batch.set(.hr, row: row, to: 70)
        }
        return batch
    }

    /// Requests that arrive while a commit is blocked are written together.
    @Test func concurrentBatchesShareCommits() throws {
        let database = try TestDatabase.create()
        var options = GroupCommitter.Options()
        options.writers = 1
        let committer = GroupCommitter(url: database.url, options: options)
        defer { committer.stop() }
        let blocker = try database.connect()
        try blocker.execute("BEGIN; LOCK TABLE inference_jobs IN ACCESS EXCLUSIVE MODE")

        let done = WaitGroup()
        let accepted = Locked(0)
        for request in 0..<20 {
            done.add()
            committer.submit(Self.batch("group-\(request % 4)", from: 1_795_600_000 + Int64(request) * 10, count: 10)) { result in
                if case .success(let counts) = result { accepted.withLock { $0 += counts.accepted } }
                done.done()
            }
        }
        Clock.sleep(seconds: 0.3)
        try blocker.execute("COMMIT")
        #expect(done.wait(seconds: 20))
        #expect(accepted.value == 200)
        // The first request commits alone (it was in flight when the lock was
        // taken); the other 19 were queued behind it and share one commit.
        #expect(committer.totals.commits <= 2)
        #expect(try database.count("SELECT count(*) FROM vitals") == 200)
        #expect(try database.count("SELECT count(*) FROM inference_jobs") <= 8)
        #expect(try database.scalar("SELECT sum(samples) FROM inference_jobs") == "200")
    }

    /// Two writers share the load without ever committing one case twice at
    /// once: every request is stored, and each case's commits (its jobs, in
    /// id order) follow the order its requests were submitted in.
    @Test func twoWritersKeepEachCasesOrder() throws {
        let database = try TestDatabase.create()
        var options = GroupCommitter.Options()
        options.writers = 2
        options.parallelRows = 0
        let committer = GroupCommitter(url: database.url, options: options)
        defer { committer.stop() }
        let done = WaitGroup()
        let failures = Locked(0)
        let cases = (0..<6).map { "order-\($0)" }
        for request in 0..<40 {
            for caseID in cases {
                done.add()
                committer.submit(Self.batch(caseID, from: 1_795_600_000 + Int64(request) * 5, count: 5)) { result in
                    if case .failure = result { failures.withLock { $0 += 1 } }
                    done.done()
                }
            }
        }
        #expect(done.wait(seconds: 60))
        #expect(failures.value == 0)
        #expect(try database.count("SELECT count(*) FROM vitals") == 40 * 6 * 5)
        #expect(try database.count("""
            SELECT count(*) FROM (
                SELECT ts_from < lag(ts_to) OVER (PARTITION BY case_id ORDER BY id) AS out_of_order FROM inference_jobs
            ) j WHERE out_of_order
            """) == 0)
        #expect(try database.scalar("SELECT sum(samples) FROM cases") == "\(40 * 6 * 5)")
    }

    @Test func duplicatesAcrossRequestsInOneGroupAreCountedOnce() throws {
        let database = try TestDatabase.create()
        var options = GroupCommitter.Options()
        options.writers = 1
        let committer = GroupCommitter(url: database.url, options: options)
        defer { committer.stop() }
        let blocker = try database.connect()
        try blocker.execute("BEGIN; LOCK TABLE inference_jobs IN ACCESS EXCLUSIVE MODE")
        let done = WaitGroup()
        let counts = Locked<[IngestCounts]>([])
        for _ in 0..<3 {
            done.add()
            committer.submit(Self.batch("same", from: 1_795_600_000, count: 5)) { result in
                if case .success(let count) = result { counts.withLock { $0.append(count) } }
                done.done()
            }
        }
        Clock.sleep(seconds: 0.2)
        try blocker.execute("COMMIT")
        #expect(done.wait(seconds: 20))
        let all = counts.value
        #expect(all.count == 3)
        #expect(all.reduce(0) { $0 + $1.accepted } == 5)
        #expect(all.reduce(0) { $0 + $1.duplicates } == 10)
        #expect(try database.count("SELECT count(*) FROM vitals") == 5)
        #expect(try database.scalar("SELECT samples FROM cases WHERE case_id = 'same'") == "5")
    }

    @Test func theCaseRegistryFollowsIngest() throws {
        let database = try TestDatabase.create()
        let committer = GroupCommitter(url: database.url)
        defer { committer.stop() }
        for (start, count) in [(1_795_600_100, 10), (1_795_600_000, 5), (1_795_600_105, 10)] {
            let done = WaitGroup()
            done.add()
            committer.submit(Self.batch("registry", from: Int64(start), count: count)) { _ in done.done() }
            done.wait()
        }
        let row = try database.connect().query(
            "SELECT extract(epoch from first_ts)::int8, extract(epoch from last_ts)::int8, samples FROM cases WHERE case_id = 'registry'")
        #expect(row.int(0, 0) == 1_795_600_000)
        #expect(row.int(0, 1) == 1_795_600_114)
        #expect(row.int(0, 2) == 20)   // 5 new + 10 + 5 new of the last batch (5 overlapped)
    }
}
