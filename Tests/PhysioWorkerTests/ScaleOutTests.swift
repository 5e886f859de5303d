import PhysioClient
import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Scale-out as deployed: the built binary as two API-only nodes
/// (`serve --workers 0`) and two worker nodes (`work`) on one database.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ScaleOutTests {
    static let cases = 8, batchesPerCase = 40, samplesPerBatch = 10

    /// Samples of a case reach both API nodes at once (each node gets every
    /// other batch, and some batches go to both, as a client failing over
    /// would send them): each is stored once, scored once, by one worker.
    @Test func twoAPINodesAndTwoWorkerNodesShareOneDatabase() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        let token = try TokenStore().create(name: "scale-out", scopes: ["ingest"], on: database.connect()).token
        var template = Array("/tmp/physio-scale-out.XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        let environment = ["PHYSIO_DATABASE_URL": database.url, "PHYSIO_ACCESS_LOG": "errors"]

        // Small claims, so that the two worker nodes share the queue.
        let workers = try (1...2).map {
            try PhysioProcess(["work", "--workers", "2", "--claim-batch", "4", "--poll-seconds", "0.2"],
                              environment: environment, logPath: "\(directory)/work-\($0).log")
        }
        let servers = try (1...2).map {
            try PhysioProcess(["serve", "--workers", "0", "--port", "0", "--threads", "2", "--pool-size", "2", "--commit-writers", "1"],
                              environment: environment, logPath: "\(directory)/serve-\($0).log")
        }
        var ports: [UInt16] = []
        for server in servers {
            let line = try #require(server.waitForLog("\"msg\":\"listening\""), "\(server.log)")
            ports.append(UInt16(try #require(PhysioProcess.field("port", in: line))))
        }
        for worker in workers { try #require(worker.waitForLog("workers started") != nil, "\(worker.log)") }

        let sent = try ingestThroughBoth(ports: ports, token: token)
        let total = Self.cases * Self.batchesPerCase * Self.samplesPerBatch
        #expect(sent.failures.isEmpty, "\(sent.failures.prefix(3))")
        #expect(sent.accepted == total, "each sample accepted by exactly one node")
        #expect(sent.accepted + sent.duplicates == sent.samples)
        #expect(sent.duplicates > 0, "some batches reached both nodes")
        #expect(try database.waitForEmptyQueue(seconds: 120))

        // Clean shutdowns; each worker node reports what it committed.
        var done: [(jobs: Int, samples: Int, failures: Int)] = []
        for worker in workers {
            #expect(worker.terminate() == 0)
            let line = try #require(worker.waitForLog("workers stopped", seconds: 1), "\(worker.log)")
            done.append((PhysioProcess.field("jobs", in: line) ?? -1, PhysioProcess.field("samples", in: line) ?? -1,
                         PhysioProcess.field("failures", in: line) ?? -1))
        }
        for server in servers { #expect(server.terminate() == 0) }

        #expect(try database.count("SELECT count(*) FROM vitals") == total)
        #expect(try database.count("SELECT count(*) FROM anomaly_scores") == total)
        #expect(try database.count("""
            SELECT count(*) FROM vitals v WHERE NOT EXISTS (SELECT 1 FROM anomaly_scores s WHERE s.case_id = v.case_id AND s.ts = v.ts)
            """) == 0)
        #expect(done.allSatisfy { $0.jobs > 0 }, "both worker nodes took jobs: \(done)")
        #expect(done.allSatisfy { $0.failures == 0 }, "\(done)")
        // No sample scored by two workers, no job done twice: what the
        // workers committed adds up to what was stored and queued.
        #expect(done.map(\.samples).reduce(0, +) == total, "samples scored per worker node: \(done)")
        // PostgreSQL's statistics count the rows of rolled-back transactions
        // too (a claim of several cases that failed and was redone case by
        // case), so deletes and inserts are not compared with them.
        let stats = try tableStatistics(database)
        #expect(done.map(\.jobs).reduce(0, +) == stats.jobsInserted, "jobs done per worker node: \(done), queued: \(stats.jobsInserted)")
        #expect(try database.count("SELECT count(*) FROM inference_jobs") == 0)
        // No score row was written over: a second scoring would update it.
        #expect(stats.scoresUpdated == 0)
    }

    struct Sent { var samples = 0, accepted = 0, duplicates = 0, failures: [String] = [] }

    /// Per case, one thread per node: node 0 gets the even batches, node 1
    /// the odd ones and, every fourth batch, the even one before it again.
    private func ingestThroughBoth(ports: [UInt16], token: String) throws -> Sent {
        let sent = Locked(Sent())
        let finished = WaitGroup()
        for caseIndex in 0..<Self.cases {
            for node in 0..<2 {
                finished.add()
                startThread {
                    let client = HTTPClient(host: "127.0.0.1", port: ports[node])
                    defer { client.close(); finished.done() }
                    for batch in stride(from: node, to: Self.batchesPerCase, by: 2) {
                        var batches = [batch]
                        if node == 1 && batch % 4 == 3 { batches.append(batch - 1) }
                        for index in batches { Self.post(caseIndex, batch: index, client: client, token: token, into: sent) }
                    }
                }
            }
        }
        #expect(finished.wait(seconds: 120), "ingest finished")
        return sent.value
    }

    private static func post(_ caseIndex: Int, batch: Int, client: HTTPClient, token: String, into sent: Locked<Sent>) {
        let start = 1_795_600_000 + caseIndex * 100_000 + batch * samplesPerBatch
        let samples = (0..<samplesPerBatch).map { second in
            let wobble = (caseIndex + batch + second) % 5
            return #"{"t":\#(start + second),"hr":\#(70 + wobble),"sbp":\#(118 + wobble),"dbp":61,"spo2":98}"#
        }
        let body = #"{"samples":["# + samples.joined(separator: ",") + "]}"
        do {
            let response = try client.send("POST", "/cases/scale-\(caseIndex)/vitals",
                                           headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                                           body: Array(body.utf8))
            let accepted = Int(response.number("accepted") ?? 0), duplicates = Int(response.number("duplicates") ?? 0)
            sent.withLock {
                $0.samples += samplesPerBatch
                if response.status == 200 { $0.accepted += accepted; $0.duplicates += duplicates } else { $0.failures.append("\(response.status) \(response.text)") }
            }
        } catch {
            sent.withLock { $0.failures.append(String(describing: error)) }
        }
    }

    struct Statistics { var jobsInserted = 0, scoresUpdated = 0 }

    /// Cumulative row counts from PostgreSQL's statistics, once every
    /// physio backend has exited (a backend flushes its counts as it exits).
    private func tableStatistics(_ database: TestDatabase) throws -> Statistics {
        let connection = try database.connect()
        _ = try waitUntil(seconds: 10, every: 0.05) {
            try connection.query("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'physio-%' AND application_name <> 'physio-test'
                """).int(0, 0) == 0
        }
        // anomaly_scores is partitioned by day on plain PostgreSQL: its counts are its partitions'.
        let result = try connection.query("""
            SELECT CASE WHEN relname = 'inference_jobs' THEN relname ELSE 'anomaly_scores' END,
                   sum(n_tup_ins)::int8, sum(n_tup_upd)::int8
            FROM pg_stat_user_tables
            WHERE relname IN ('inference_jobs', 'anomaly_scores')
               OR relid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'anomaly_scores'::regclass)
            GROUP BY 1
            """)
        var statistics = Statistics()
        for row in 0..<result.rowCount {
            if result.string(row, 0) == "inference_jobs" {
                statistics.jobsInserted = result.int(row, 1)!
            } else {
                statistics.scoresUpdated = result.int(row, 2)!
            }
        }
        return statistics
    }
}
