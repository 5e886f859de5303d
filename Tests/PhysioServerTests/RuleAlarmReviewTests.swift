import PhysioClient
import PhysioCore
import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

/// A second vital's breach inside an episode already acknowledged raises an
/// alarm of its own (`Episode.alarms`), and the episode asks to be
/// acknowledged again: a team that saw the hypotension has not seen the
/// desaturation. Real workers, server and database.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct RuleAlarmReviewTests {
    static let start: Int64 = 1_795_600_000

    /// Calm, then SBP 78 / DBP 45 (MAP 56) from 100 s to 800 s; inside it
    /// SpO2 falls 0.5 % a second from 400 s to 86 % (below 90 % from 417 s).
    static func hypotensionThenDesaturation() -> SampleBatch {
        var batch = TestModels.calmCase("second-vital", start: start, seconds: 900, seed: 3)
        for second in 100..<800 {
            batch.set(.sbp, row: second, to: 78)
            batch.set(.dbp, row: second, to: 45)
            if second >= 400 { batch.set(.spo2, row: second, to: max(86, 98 - Float(second - 400) * 0.5)) }
        }
        return batch
    }

    static func rows(_ batch: SampleBatch, _ range: Range<Int>) -> SampleBatch {
        var slice = SampleBatch(caseID: batch.caseID)
        for row in range { slice.append(row: row, of: batch) }
        return slice
    }

    func episode(_ server: TestServer) throws -> HTTPClient.Response? {
        let id = try server.database.scalar("""
            SELECT id FROM anomaly_episodes WHERE case_id = 'second-vital' AND started_at <= to_timestamp(\(Self.start + 200))
            AND ended_at >= to_timestamp(\(Self.start + 300))
            """)
        return try id.map { try server.read("/cases/second-vital/anomalies/\($0)") }
    }

    /// Rule alarms (rule, first, last, raised: seconds from `start`) as a worker stores them.
    static func stored(_ alarms: [(String, Int64, Int64, Int64)]) -> String {
        EpisodeStore.alarmsJSON(alarms.map { rule, first, last, raised in
            RuleAlarm(rule: rule, first: (start + first) * 1_000_000, last: (start + last) * 1_000_000, raisedAt: (start + raised) * 1_000_000)
        })
    }

    static func alarmRules(_ response: HTTPClient.Response) -> [String] {
        response.withJSON { json in
            guard let alarms = json["alarms"] else { return nil }
            return (0..<alarms.count).compactMap { alarms[$0]?["rule"]?.string }
        } ?? []
    }

    static func unacknowledged(_ response: HTTPClient.Response) -> [String] {
        response.withJSON { json in
            guard let list = json["review"]?["unacknowledged_alarms"] else { return nil }
            return (0..<list.count).compactMap { list[$0]?["rule"]?.string }
        } ?? []
    }

    /// The episode's alarms as the API lists them, as a body naming them.
    static func alarmsBody(_ response: HTTPClient.Response, only rule: String? = nil) -> String {
        let alarms = response.withJSON { json -> [String]? in
            guard let list = json["alarms"] else { return nil }
            return (0..<list.count).compactMap { index in
                guard let alarm = list[index], let name = alarm["rule"]?.string, let at = alarm["raised_at"]?.string,
                      rule == nil || rule == name else { return nil }
                return #"{"rule":"\#(name)","raised_at":"\#(at)"}"#
            }
        } ?? []
        return #"{"alarms":[\#(alarms.joined(separator: ","))]}"#
    }

    @Test func aDesaturationAfterTheHypotensionWasAcknowledgedAsksForAnotherAcknowledgement() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        let full = Self.hypotensionThenDesaturation()

        try server.database.ingest([Self.rows(full, 0..<380)])
        #expect(try server.database.waitForEmptyQueue())
        let before = try #require(try episode(server), "the hypotension's episode")
        let id = try #require(before.number("id").map { Int64($0) })
        #expect(Self.alarmRules(before).contains("sbp_lt_80") && !Self.alarmRules(before).contains("spo2_lt_90"), "\(before.text)")
        let seen = try server.review("second-vital", id, "acknowledge")
        #expect(seen.status == 201 && seen.review("acknowledged") == "true", "\(seen.text)")

        try server.database.ingest([Self.rows(full, 380..<900)])
        #expect(try server.database.waitForEmptyQueue())
        let after = try #require(try episode(server))
        #expect(after.number("id") == Double(id), "the same episode, extended")
        #expect(Self.alarmRules(after).last == "spo2_lt_90", "raised last: \(after.text)")
        let raised = try #require(after.withJSON { json -> String? in
            let alarms = json["alarms"]!
            return (0..<alarms.count).compactMap { alarms[$0] }.first { $0["rule"]?.string == "spo2_lt_90" }?["raised_at"]?.string
        }.flatMap(Timestamp.parseRFC3339))
        #expect((Self.start + 430...Self.start + 440).contains(raised / 1_000_000), "15 s after SpO2 < 90: \(raised / 1_000_000 - Self.start)")
        #expect(after.review("acknowledged") == "false", "a new alarm nobody has seen")
        #expect(Self.unacknowledged(after) == ["spo2_lt_90"])

        let again = try server.review("second-vital", id, "acknowledge")
        #expect(again.status == 201, "stored: it saw an alarm the first did not")
        #expect(again.review("acknowledged") == "true" && Self.unacknowledged(again).isEmpty, "\(again.text)")
        #expect(again.trailActions == ["acknowledge", "acknowledge"])
        #expect(again.withJSON { $0["review"]?["trail"]?[1]?["alarms"]?.count } == Self.alarmRules(after).count)
        #expect(try server.review("second-vital", id, "acknowledge").status == 200, "nothing new: the repeat stores nothing")
        #expect(try server.database.count("SELECT count(*) FROM review_actions WHERE alarms::text LIKE '%spo2_lt_90@%'") == 1)
    }

    /// An acknowledgement covers the alarms its body names, those the reviewer
    /// was shown: one raised between the reading and the click stays unacknowledged.
    @Test func anAcknowledgementCoversTheAlarmsItNames() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        try server.database.ingest([Self.hypotensionThenDesaturation()])
        #expect(try server.database.waitForEmptyQueue())
        let episode = try #require(try episode(server))
        let id = try #require(episode.number("id").map { Int64($0) })
        #expect(Self.alarmRules(episode).contains("spo2_lt_90"), "\(episode.text)")
        // Shown the pressure's alarms only (the desaturation came after the page drew).
        let seen = try server.review("second-vital", id, "acknowledge", Self.alarmsBody(episode, only: "sbp_lt_80"))
        #expect(seen.status == 201 && seen.review("acknowledged") == "false", "\(seen.text)")
        #expect(Self.unacknowledged(seen).contains("spo2_lt_90") && !Self.unacknowledged(seen).contains("sbp_lt_80"), "\(seen.text)")
        #expect(try server.review("second-vital", id, "acknowledge", Self.alarmsBody(episode, only: "sbp_lt_80")).status == 200,
                "the same alarms again: nothing new")
        let all = try server.review("second-vital", id, "acknowledge", Self.alarmsBody(episode))
        #expect(all.status == 201 && all.review("acknowledged") == "true", "\(all.text)")
        // A body that is not a list of alarms is 422 and stores nothing.
        for bad in [#"{"alarms":"all"}"#, #"{"alarms":[{"rule":"x"}]}"#, #"{"seen":[]}"#] {
            let refused = try server.review("second-vital", id, "acknowledge", bad)
            #expect(refused.status == 422 && refused.header("Content-Type") == "application/problem+json", "\(bad): \(refused.text)")
        }
        #expect(try server.database.count("SELECT count(*) FROM review_actions") == 2)
    }

    /// Through the id of an episode a merge absorbed, an acknowledgement with
    /// no body covers only the alarms raised within that episode's span: the
    /// other episode's alarm was never shown to whoever holds the old id.
    @Test func anAcknowledgementThroughAnAbsorbedIdCoversOnlyItsAlarms() throws {
        let server = try TestServer()
        let model = try TestModels.register(on: server.database)
        let absorbed = try server.episode("merged-ack", start: Self.start, end: Self.start + 100, modelID: model)
        let survivor = try server.episode("merged-ack", start: Self.start + 400, end: Self.start + 500, modelID: model)
        // As a worker's merge leaves them: the later row spans both and holds both alarms; the earlier is recorded absorbed.
        try server.database.connect().query("DELETE FROM anomaly_episodes WHERE id = \(absorbed)")
        try server.database.connect().query(
            "UPDATE anomaly_episodes SET started_at = to_timestamp(\(Self.start)), alarms = $1::jsonb WHERE id = \(survivor)",
            [Self.stored([("sbp_lt_80", 0, 100, 15), ("sbp_lt_80", 400, 500, 415)])])
        try server.database.connect().query("""
            INSERT INTO episode_merges (absorbed_id, survivor_id, case_id, absorbed_start, absorbed_end)
            VALUES (\(absorbed), \(survivor), 'merged-ack', to_timestamp(\(Self.start)), to_timestamp(\(Self.start + 100)))
            """)
        let old = try server.review("merged-ack", absorbed, "acknowledge")
        #expect(old.status == 201 && old.number("id") == Double(survivor), "\(old.text)")
        #expect(old.review("acknowledged") == "false", "the later hypotension was never shown: \(old.text)")
        #expect(old.withJSON { $0["review"]?["unacknowledged_alarms"]?[0]?["raised_at"]?.string }
                .flatMap(Timestamp.parseRFC3339) == (Self.start + 415) * 1_000_000, "\(old.text)")
        let current = try server.review("merged-ack", survivor, "acknowledge")
        #expect(current.status == 201 && current.review("acknowledged") == "true", "\(current.text)")
    }

    /// An acknowledgement stored before rule alarms were kept (alarms NULL)
    /// covers the episode whole, as it did when it was taken.
    @Test func anAcknowledgementFromBeforeCoversTheEpisodeWhole() throws {
        let server = try TestServer()
        let model = try TestModels.register(on: server.database)
        let id = try server.episode("old-ack", start: Self.start, end: Self.start + 300, modelID: model, rules: ["sbp_lt_80", "spo2_lt_90"])
        try server.database.connect().query("UPDATE anomaly_episodes SET alarms = $1::jsonb WHERE id = \(id)",
                                            [Self.stored([("sbp_lt_80", 0, 300, 15), ("spo2_lt_90", 185, 250, 200)])])
        try server.database.connect().query("""
            INSERT INTO review_actions (case_id, episode_id, episode_start, episode_end, action, actor)
            VALUES ('old-ack', \(id), to_timestamp(\(Self.start)), to_timestamp(\(Self.start + 300)), 'acknowledge', 'night-shift')
            """)
        let episode = try server.read("/cases/old-ack/anomalies/\(id)")
        #expect(episode.review("acknowledged") == "true" && Self.unacknowledged(episode).isEmpty, "\(episode.text)")
        #expect(episode.withJSON { $0["review"]?["trail"]?[0]?["alarms"]?.kind } == .null)
        #expect(Self.alarmRules(episode) == ["sbp_lt_80", "spo2_lt_90"], "by when each was raised")
        #expect(try server.review("old-ack", id, "acknowledge").status == 200)
    }
}
