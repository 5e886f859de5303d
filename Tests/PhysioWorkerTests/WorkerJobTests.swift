import PhysioCore
import PhysioStore
import PhysioTestSupport
import PhysioWorker
import Testing
import PhysioPlatform

/// Workers and the queue together: failing jobs, killed workers, re-runs.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct WorkerJobTests {
    /// A job that keeps failing is retried with backoff, then kept as `failed`
    /// with its last error; the other cases go on being scored.
    @Test func aJobThatKeepsFailingEndsFailedAfterMaxAttempts() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        try database.connect().execute("""
            CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.case_id = 'poison' THEN RAISE EXCEPTION 'poisoned sample at %', NEW.ts; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER poison BEFORE INSERT ON anomaly_scores FOR EACH ROW EXECUTE FUNCTION poison();
            ALTER TABLE inference_jobs ALTER COLUMN max_attempts SET DEFAULT 3;
            """)
        try database.ingest([TestModels.calmCase("poison", start: 1_795_600_000, seconds: 5)])
        try database.ingest([TestModels.calmCase("healthy", start: 1_795_600_000, seconds: 5)])
        let pool = try database.startWorkers(name: "w-fail", workers: 1)
        defer { pool.stop() }
        let connection = try database.connect()
        #expect(try waitUntil(seconds: 10) {
            try connection.query("SELECT state FROM inference_jobs WHERE case_id = 'poison'").string(0, 0) == "failed"
        })
        let row = try connection.query("SELECT attempts, last_error, locked_by FROM inference_jobs WHERE case_id = 'poison'")
        #expect(row.int(0, 0) == 3)
        #expect(row.string(0, 1)?.contains("poisoned sample") == true)
        #expect(row.string(0, 2) == nil)
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE case_id = 'poison'") == 0)
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE case_id = 'healthy'") == 5)
        #expect(pool.statistics.failures == 3)
    }

    /// A worker that dies mid-transaction leaves no partial results; the job
    /// is rescued when its lease runs out and done exactly once.
    @Test func aWorkerKilledMidJobLeavesNoPartialResults() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        try database.ingest([TestModels.caseWithCrisis("killed", start: 1_795_600_000, seconds: 300, crisis: 100..<130)])
        let blocker = try database.connect()
        // The worker writes scores and episodes, then blocks on the aggregates.
        try blocker.execute("BEGIN; LOCK TABLE vitals_1m IN ACCESS EXCLUSIVE MODE")
        let pool = try database.startWorkers(name: "w-kill", workers: 1, lease: 1)
        defer { pool.stop() }
        let watcher = try database.connect()
        var blockedPID: Int?
        _ = try waitUntil(seconds: 10) {
            blockedPID = try watcher.query("""
                SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'physio-worker' AND wait_event_type = 'Lock'
                """).int(0, 0)
            return blockedPID != nil
        }
        let pid = try #require(blockedPID)
        try watcher.query("SELECT pg_terminate_backend($1)", [String(pid)])
        #expect(try waitUntil(seconds: 10) {
            try watcher.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [String(pid)]).rowCount == 0
        })
        // Checked while the lock is still held: a rescue of the job (its
        // 1 s lease may be over already) blocks where the first try did, so
        // only what the killed transaction left could be seen here.
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE case_id = 'killed'") == 0)
        #expect(try database.count("SELECT count(*) FROM anomaly_episodes WHERE case_id = 'killed'") == 0)
        try blocker.execute("COMMIT")

        #expect(try database.waitForEmptyQueue(seconds: 20))
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE case_id = 'killed'") == 300)
        #expect(try database.count("SELECT count(*) FROM vitals_1m WHERE case_id = 'killed'")
                == database.count("SELECT count(DISTINCT date_trunc('minute', ts)) FROM vitals WHERE case_id = 'killed'"))
    }

    /// The same job done twice leaves scores, episodes and aggregates exactly as they were.
    @Test func runningAJobTwiceChangesNothing() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        try database.ingest([TestModels.caseWithCrisis("twice", start: 1_795_600_000, seconds: 300, crisis: 100..<140)])
        let pool = try database.startWorkers(name: "w-twice")
        defer { pool.stop() }
        #expect(try database.waitForEmptyQueue())
        func snapshot() throws -> [String] {
            try ["SELECT string_agg(s::text, ';' ORDER BY ts) FROM anomaly_scores s",
                 "SELECT string_agg(e::text, ';' ORDER BY started_at) FROM anomaly_episodes e",
                 "SELECT string_agg(a::text, ';' ORDER BY bucket) FROM vitals_1m a",
                 "SELECT string_agg(a::text, ';' ORDER BY bucket) FROM vitals_1h a"].map { try database.scalar($0) ?? "" }
        }
        let before = try snapshot()
        #expect(before[1].contains("twice"))
        try database.connect().execute("""
            INSERT INTO inference_jobs (case_id, ts_from, ts_to, samples)
            SELECT 'twice', min(ts), max(ts), count(*) FROM vitals WHERE case_id = 'twice'
            """)
        #expect(try database.waitForEmptyQueue())
        #expect(try snapshot() == before)
    }
}
