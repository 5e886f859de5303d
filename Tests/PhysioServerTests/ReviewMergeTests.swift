import PhysioClient
import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing

/// Reviews stay with their episode when real workers merge episodes: a
/// breach whose first part arrives late (the episode is back-dated and
/// becomes a new row), two reviewed episodes bridged into one, and the case
/// scored again by a new model. The rule: an episode holds the reviews taken
/// on it and on every episode row it absorbed; the merge is recorded in its
/// own transaction and shows in the trail; no review row is changed.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ReviewMergeTests {
    static let start: Int64 = 1_795_600_000

    /// Rows of `batch` in `ranges`, as a monitor that buffered some of them would send.
    static func rows(_ batch: SampleBatch, _ ranges: [Range<Int>]) -> SampleBatch {
        var slice = SampleBatch(caseID: batch.caseID)
        for range in ranges { for row in range { slice.append(row: row, of: batch) } }
        return slice
    }

    /// The case's episodes, times in seconds from the case's start.
    func episodes(_ server: TestServer, _ caseID: String) throws -> [(id: Int64, start: Int64, end: Int64)] {
        let result = try server.database.connect().query("""
            SELECT id, extract(epoch from started_at)::int8 - \(Self.start), extract(epoch from ended_at)::int8 - \(Self.start)
            FROM anomaly_episodes WHERE case_id = $1 ORDER BY started_at
            """, [caseID])
        return (0..<result.rowCount).map { (Int64(result.string($0, 0)!)!, Int64(result.string($0, 1)!)!, Int64(result.string($0, 2)!)!) }
    }

    /// The episode that covers `second` (from the case's start).
    func episode(_ server: TestServer, _ caseID: String, covering second: Int64) throws -> (id: Int64, start: Int64, end: Int64)? {
        try episodes(server, caseID).first { $0.start <= second && second <= $0.end }
    }

    @Test func aBreachWhoseStartArrivesLateKeepsItsReviews() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        let full = TestModels.caseWithCrisis("late", start: Self.start, seconds: 600, crisis: 100..<300)
        // The breach's first minute is held back by the monitor.
        try server.database.ingest([Self.rows(full, [0..<100, 160..<600])])
        #expect(try server.database.waitForEmptyQueue())
        let reviewed = try #require(try episode(server, "late", covering: 250), "\((try? episodes(server, "late")).map { "\($0)" } ?? "?")")
        #expect(reviewed.start >= 160)
        #expect(try server.review("late", reviewed.id, "acknowledge").status == 201)
        #expect(try server.review("late", reviewed.id, "annotate", #"{"verdict":"true_alarm","note":"bleeding"}"#).status == 201)

        try server.database.ingest([Self.rows(full, [100..<160])])
        #expect(try server.database.waitForEmptyQueue())
        let merged = try #require(try episode(server, "late", covering: 250), "\((try? episodes(server, "late")).map { "\($0)" } ?? "?")")
        #expect(merged.start < reviewed.start && merged.start >= 100, "back-dated towards the breach's first sample: \(merged)")
        #expect(merged.id != reviewed.id, "a new row: its start moved")
        #expect(try episodes(server, "late").allSatisfy { $0.id != reviewed.id })
        let index = try #require(try episodes(server, "late").firstIndex { $0.id == merged.id })

        let list = try server.read("/cases/late/anomalies")
        #expect(list.withJSON { $0["episodes"]?[index]?["id"]?.number } == Double(merged.id))
        #expect(list.withJSON { $0["episodes"]?[index]?["review"]?["acknowledged"]?.bool } == true)
        #expect(list.withJSON { $0["episodes"]?[index]?["review"]?["verdict"]?.string } == "true_alarm")
        let one = try server.read("/cases/late/anomalies/\(merged.id)")
        #expect(one.trailActions == ["acknowledge", "annotate", "merge"])
        #expect(one.withJSON { $0["review"]?["trail"]?[2]?["episode_id"]?.number } == Double(reviewed.id))
        #expect(one.withJSON { $0["review"]?["trail"]?[0]?["episode_id"]?.number } == Double(reviewed.id), "as it was reviewed")

        // The old id still finds it; acknowledging through it is the idempotent repeat.
        let old = try server.read("/cases/late/anomalies/\(reviewed.id)")
        #expect(old.status == 200)
        #expect(old.number("id") == Double(merged.id))
        #expect(old.header("Content-Location") == "/cases/late/anomalies/\(merged.id)")
        #expect(try server.review("late", reviewed.id, "acknowledge").status == 200)
        #expect(try server.review("late", merged.id, "acknowledge").status == 200)

        // Recorded, not rewritten: the actions still name the row they were taken on.
        #expect(try server.database.count("SELECT count(*) FROM review_actions WHERE episode_id = \(reviewed.id)") == 2)
        #expect(try server.database.count("SELECT count(*) FROM episode_merges WHERE absorbed_id = \(reviewed.id) AND survivor_id = \(merged.id)") == 1)
    }

    @Test func twoReviewedEpisodesBridgedIntoOneKeepBothTrails() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        let full = TestModels.caseWithCrisis("bridge", start: Self.start, seconds: 900, crisis: 100..<500)
        // 200 s of the breach missing: two episodes, far more than the 30-s gap apart.
        try server.database.ingest([Self.rows(full, [0..<200, 400..<900])])
        #expect(try server.database.waitForEmptyQueue())
        let first = try #require(try episode(server, "bridge", covering: 150), "\((try? episodes(server, "bridge")).map { "\($0)" } ?? "?")")
        let second = try #require(try episode(server, "bridge", covering: 450), "\((try? episodes(server, "bridge")).map { "\($0)" } ?? "?")")
        try #require(first.id != second.id)
        #expect(try server.review("bridge", first.id, "annotate", #"{"verdict":"true_alarm"}"#).status == 201)
        #expect(try server.review("bridge", second.id, "acknowledge", scope: "admin").status == 201)
        #expect(try server.review("bridge", second.id, "annotate", #"{"verdict":"artefact","reason":"electrocautery"}"#, scope: "admin").status == 201)

        try server.database.ingest([Self.rows(full, [200..<400])])
        #expect(try server.database.waitForEmptyQueue())
        let bridged = try #require(try episode(server, "bridge", covering: 300), "\((try? episodes(server, "bridge")).map { "\($0)" } ?? "?")")
        #expect(bridged.id == first.id, "the first keeps its row: its start did not move")
        #expect(bridged.start == first.start && bridged.end >= 499)
        let before = [first, second]
        let one = try server.read("/cases/bridge/anomalies/\(before[1].id)")
        #expect(one.number("id") == Double(before[0].id))
        #expect(one.trailActions == ["annotate", "acknowledge", "annotate", "merge"])
        #expect(one.review("acknowledged_by") == "test-admin")
        #expect(one.review("verdict") == "artefact", "the latest annotation stands; the trail keeps the other")
        #expect(one.withJSON { $0["review"]?["trail"]?[3]?["episode_id"]?.number } == Double(before[1].id))

        // Annotating the merged episode through either id lands on it.
        #expect(try server.review("bridge", before[1].id, "annotate", #"{"verdict":"true_alarm","note":"one event"}"#).status == 201)
        #expect(try server.read("/cases/bridge/anomalies/\(before[0].id)").review("note") == "one event")
        #expect(try server.database.count("SELECT count(*) FROM review_actions WHERE episode_id = \(before[0].id)") == 2)
    }

    @Test func reviewsSurviveScoringAgainWithANewModel() throws {
        let server = try TestServer()
        let firstModel = try TestModels.register(on: server.database)
        var workers = try server.database.startWorkers()
        try server.database.ingest([TestModels.caseWithCrisis("rescored", start: Self.start, seconds: 600, crisis: 100..<300)])
        #expect(try server.database.waitForEmptyQueue())
        workers.stop()
        let reviewed = try #require(try episode(server, "rescored", covering: 200), "\((try? episodes(server, "rescored")).map { "\($0)" } ?? "?")")
        let before = [reviewed]
        #expect(try server.review("rescored", before[0].id, "acknowledge").status == 201)
        #expect(try server.review("rescored", before[0].id, "annotate", #"{"verdict":"true_alarm"}"#).status == 201)

        let secondModel = try TestModels.register(on: server.database, seed: 2, name: "retrained")
        #expect(secondModel != firstModel)
        workers = try server.database.startWorkers()
        defer { workers.stop() }
        // The whole case queued again, as a re-scoring after a model change does.
        try server.database.connect().execute("""
            INSERT INTO inference_jobs (case_id, ts_from, ts_to, samples)
            SELECT case_id, min(ts), max(ts), count(*) FROM vitals WHERE case_id = 'rescored' GROUP BY case_id
            """)
        #expect(try server.database.waitForEmptyQueue())
        #expect(try server.database.count("SELECT count(*) FROM anomaly_scores WHERE case_id = 'rescored' AND model_id = \(secondModel)") == 600)
        // The new model may alarm on other samples, so the episode may have grown into another row: followed.
        let now = try #require(try episode(server, "rescored", covering: 200))
        let one = try server.read("/cases/rescored/anomalies/\(before[0].id)")
        #expect(one.status == 200)
        #expect(one.number("id") == Double(now.id))
        #expect(one.review("acknowledged") == "true")
        #expect(one.review("verdict") == "true_alarm")
        #expect(one.trailActions.prefix(2) == ["acknowledge", "annotate"])
    }

    /// A live stream is told which episode row a merge deleted: after the
    /// bridged episode's `episode` event, `merged` names the row it took in.
    @Test func aStreamIsToldWhichEpisodeAMergeDeleted() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        let full = TestModels.caseWithCrisis("bridge-live", start: Self.start, seconds: 900, crisis: 100..<500)
        try server.database.ingest([Self.rows(full, [0..<200, 400..<900])])
        #expect(try server.database.waitForEmptyQueue())
        let first = try #require(try episode(server, "bridge-live", covering: 150))
        let second = try #require(try episode(server, "bridge-live", covering: 450))
        try #require(first.id != second.id)

        let stream = try EventStreamReader(port: server.port, path: "/cases/bridge-live/stream", token: server.tokens["read"]!)
        #expect(waitUntil(seconds: 5) { stream.next(within: 0.1) == nil && stream.status == 200 })
        try server.database.ingest([Self.rows(full, [200..<400])])
        #expect(try server.database.waitForEmptyQueue())
        var events: [EventStreamReader.Event] = []
        while let event = stream.next(within: 3) {
            if event.name == "episode" || event.name == "merged" { events.append(event) }
            if event.name == "merged" { break }
        }
        let merged = try #require(events.last { $0.name == "merged" }, "\(events.map(\.name))")
        #expect(merged.data == #"{"id":\#(second.id),"into":\#(first.id)}"#, "\(merged.data)")
        let survivor = try #require(events.lastIndex { $0.name == "episode" && $0.data.hasPrefix(#"{"id":\#(first.id),"#) })
        #expect(survivor < events.lastIndex { $0.name == "merged" }!, "the survivor's update first: \(events.map(\.name))")
        // Sent once: the next wakes re-read the window and send nothing again.
        try server.database.ingest([TestModels.calmCase("bridge-live", start: Self.start + 900, seconds: 60)])
        #expect(try server.database.waitForEmptyQueue())
        var later: [String] = []
        while let event = stream.next(within: 1) { later.append(event.name) }
        #expect(!later.contains("merged"), "\(later)")
    }
}
