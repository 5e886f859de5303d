import PhysioCore
import PhysioStore
import PhysioTestSupport
import PhysioWorker
import Testing
import PhysioPlatform

/// A server whose database holds no model yet scores with the untrained one
/// (breach risk and safety floor), so no monitor goes unwatched until someone trains.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct UntrainedModelTests {
    /// No model at all: the untrained one is registered and active, a crisis
    /// is an episode, and a trained model registered later takes over.
    @Test func anEmptyDatabaseScoresWithTheUntrainedModel() throws {
        let database = try TestDatabase.create()
        let series = TestModels.caseWithCrisis("first-day", start: 1_795_600_000, seconds: 600, crisis: 300..<400)
        try database.ingest([series])
        let pool = try database.startWorkers(name: "w-untrained")
        defer { pool.stop() }
        #expect(try database.waitForEmptyQueue())

        #expect(try database.count("SELECT count(*) FROM models") == 1)
        let untrained = try #require(try database.scalar("SELECT id FROM models WHERE active AND name LIKE 'untrained%'"))
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE model_id = \(untrained)") == 600)
        let episodes = try WorkerPoolTests.storedEpisodes(database, "first-day")
        #expect(episodes.contains { $0.start <= 1_795_600_300 && $0.end >= 1_795_600_399 }, "\(episodes)")
        #expect(try database.scalar("""
            SELECT array_to_string(rules, ',') FROM anomaly_episodes
            WHERE case_id = 'first-day' AND started_at <= to_timestamp(1795600300) AND ended_at >= to_timestamp(1795600399)
            """)?.contains("sbp_lt_80") == true)

        let trained = try TestModels.register(on: database, name: "trained")
        #expect(waitUntil(seconds: 5) { pool.model.current?.id == trained })
        try database.ingest([TestModels.calmCase("second-day", start: 1_795_700_000, seconds: 60)])
        #expect(try database.waitForEmptyQueue())
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE case_id = 'second-day' AND model_id = \(trained)") == 60)
        #expect(try database.count("SELECT count(*) FROM models") == 2, "the untrained model is registered once")
    }

    /// An active model in a format this release cannot read (one registered
    /// before an upgrade): the untrained model stands in, registered once and
    /// not activated, so alarms go on (until 2026-12-06 every job waited);
    /// a model it reads, activated later, takes over.
    @Test func anActiveModelThisReleaseCannotReadIsStoodInForByTheUntrainedOne() throws {
        let database = try TestDatabase.create()
        let old = try ModelStore().register(name: "format 1", body: Array(#"{"format_version":1}"#.utf8), threshold: 0.5, featureNames: [],
                                            metadataJSON: "{}", activate: true, on: database.connect())
        try database.ingest([TestModels.caseWithCrisis("after-upgrade", start: 1_795_600_000, seconds: 600, crisis: 300..<400)])
        let pool = try database.startWorkers(name: "w-upgrade")
        defer { pool.stop() }
        #expect(try database.waitForEmptyQueue())
        let standIn = try #require(try database.scalar("SELECT id FROM models WHERE NOT active AND name LIKE 'untrained%'"))
        #expect(try database.scalar("SELECT id FROM models WHERE active") == String(old), "the operator's choice stays active")
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE model_id = \(standIn)") == 600)
        #expect(try WorkerPoolTests.storedEpisodes(database, "after-upgrade").contains { $0.start <= 1_795_600_300 && $0.end >= 1_795_600_399 })
        #expect(try pool.model.reload(on: database.connect()) == false, "no second stand-in")
        #expect(try database.count("SELECT count(*) FROM models") == 2)

        let trained = try TestModels.register(on: database, name: "trained")
        #expect(waitUntil(seconds: 5) { pool.model.current?.id == trained })
    }

    /// Models registered but none active is an operator's choice: jobs wait
    /// in the queue (they do not fail), and no untrained model is added.
    @Test func modelsWithNoneActiveKeepJobsWaiting() throws {
        let database = try TestDatabase.create()
        let parked = try ModelStore().register(TestModels.small(), name: "parked", activate: false, on: database.connect())
        try database.ingest([TestModels.calmCase("wait", start: 1_795_600_000, seconds: 10)])
        let pool = try database.startWorkers(name: "w-wait")
        defer { pool.stop() }
        Clock.sleep(seconds: 0.5)
        #expect(try database.count("SELECT count(*) FROM inference_jobs WHERE state = 'available' AND attempts = 0") == 1)
        #expect(try database.count("SELECT count(*) FROM models") == 1)
        #expect(try ModelStore().activate(parked, on: database.connect()))
        #expect(try database.waitForEmptyQueue())
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE model_id = \(parked)") == 10)
    }

    /// Servers starting together on an empty database register it once.
    @Test func processesStartingTogetherRegisterItOnce() throws {
        let database = try TestDatabase.create()
        let loaded = Locked([Int64]())
        let finished = WaitGroup()
        for _ in 0..<4 {
            finished.add()
            startThread {
                defer { finished.done() }
                let model = ActiveModel()
                guard let connection = try? database.connect(), (try? model.reload(on: connection)) == true,
                      let id = model.current?.id else { return }
                loaded.withLock { $0.append(id) }
            }
        }
        #expect(finished.wait(seconds: 30))
        #expect(try database.count("SELECT count(*) FROM models") == 1)
        #expect(loaded.value.count == 4 && Set(loaded.value).count == 1, "\(loaded.value)")
    }
}
