import PhysioClient
import PhysioCore
import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

/// A case's own alarm limits through the API (`PUT /cases/{id}/limits`),
/// scored by real workers: a planned hypotension above the team's limit
/// raises no rule alarm, a fall below it does, and the defaults come back
/// when the team clears them.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct CaseLimitRoutesTests {
    static let start: Int64 = 1_795_700_000

    /// Calm; from `from` to `to` seconds MAP `map` (SBP 92, DBP 42 around it).
    static func segment(_ caseID: String, from: Int, to: Int, map: Float?) -> SampleBatch {
        let whole = TestModels.calmCase(caseID, start: start, seconds: to, seed: 5)
        var slice = SampleBatch(caseID: caseID)
        for row in from..<to { slice.append(row: row, of: whole) }
        if let map {
            for row in 0..<slice.count {
                slice.set(.sbp, row: row, to: 92)
                slice.set(.dbp, row: row, to: 42)
                slice.set(.mbp, row: row, to: map)
            }
        }
        return slice
    }

    func put(_ server: TestServer, _ caseID: String, _ body: String, scope: String = "review",
             contentType: String = "application/json") throws -> HTTPClient.Response {
        try server.client().send("PUT", "/cases/\(caseID)/limits", headers: [server.bearer(scope), ("Content-Type", contentType)],
                                 body: Array(body.utf8))
    }

    /// The rules of the case's episodes that start at or after `second` (from `start`).
    func episodeRules(_ server: TestServer, _ caseID: String, from second: Int) throws -> [String] {
        (try server.database.scalar("""
            SELECT string_agg(DISTINCT rule, ',') FROM anomaly_episodes, unnest(rules) rule
            WHERE case_id = $1 AND started_at >= to_timestamp($2::float8)
            """, [caseID, String(Self.start + Int64(second))]) ?? "").split(separator: ",").map(String.init)
    }

    static func ruleIDs(_ response: HTTPClient.Response) -> [String] {
        response.withJSON { json in
            guard let rules = json["rules"] else { return nil }
            return (0..<rules.count).compactMap { rules[$0]?["id"]?.string }
        } ?? []
    }

    @Test func theWorkersScoreWithTheLimitsTheTeamSet() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        try server.database.ingest([Self.segment("planned", from: 0, to: 300, map: nil)])
        #expect(try server.database.waitForEmptyQueue())

        let set = try put(server, "planned", #"{"limits": {"mbp_lt_65": 50, "sbp_lt_80": 70}, "note": "planned hypotension"}"#)
        #expect(set.status == 200, "\(set.text)")
        #expect(Self.ruleIDs(set).contains("mbp_lt_50") && Self.ruleIDs(set).contains("sbp_lt_70") && !Self.ruleIDs(set).contains("mbp_lt_65"))
        #expect(set.withJSON { $0["changes"]?[0]?["note"]?.string } == "planned hypotension")
        #expect(set.withJSON { $0["changes"]?[0]?["by"]?.string } == "test-review", "\(set.text)")

        // Ten minutes at MAP 58, SBP 92: a breach of the defaults, none of the team's.
        try server.database.ingest([Self.segment("planned", from: 300, to: 900, map: 58)])
        #expect(try server.database.waitForEmptyQueue())
        let planned = try episodeRules(server, "planned", from: 0)
        #expect(!planned.contains("mbp_lt_65") && !planned.contains("sbp_lt_80") && !planned.contains("mbp_lt_55"), "\(planned)")
        // Below the team's limit: its own rule alarms.
        try server.database.ingest([Self.segment("planned", from: 900, to: 1200, map: 46)])
        #expect(try server.database.waitForEmptyQueue())
        #expect(try episodeRules(server, "planned", from: 0).contains("mbp_lt_50"))
        #expect(try server.database.count("""
            SELECT count(*) FROM anomaly_episodes WHERE case_id = 'planned' AND alarms::text LIKE '%mbp_lt_50%' AND raised_at IS NOT NULL
            """) == 1)

        // The defaults again: the same MAP 58 is a hypotension.
        let cleared = try put(server, "planned", #"{"limits": {}}"#)
        #expect(cleared.status == 200 && Self.ruleIDs(cleared).contains("mbp_lt_65"), "\(cleared.text)")
        try server.database.ingest([Self.segment("planned", from: 1500, to: 2100, map: 58)])
        #expect(try server.database.waitForEmptyQueue())
        #expect(try episodeRules(server, "planned", from: 1400).contains("mbp_lt_65"))

        let read = try server.read("/cases/planned/limits")
        #expect(read.status == 200 && read.withJSON { $0["changes"]?.count } == 2, "\(read.text)")
    }

    /// The outside audit's D2: MAP 58 alarmed and acknowledged; the team
    /// sets MAP < 40 (six minutes stored without an alarm), then restores the
    /// defaults while MAP is still 58. A new breach and a new alarm, not the
    /// acknowledged episode stretched over the six minutes.
    @Test func defaultsRestoredWhileThePatientIsPastThemRaiseANewAlarm() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        try server.database.ingest([Self.segment("restored", from: 0, to: 300, map: 58)])
        #expect(try server.database.waitForEmptyQueue())
        let first = try #require(try server.database.scalar("SELECT id FROM anomaly_episodes WHERE case_id = 'restored'").flatMap { Int64($0) })
        #expect(try server.review("restored", first, "acknowledge").status == 201)
        #expect(try put(server, "restored", #"{"limits": {"mbp_lt_65": 40, "sbp_lt_80": 50}}"#).status == 200)
        try server.database.ingest([Self.segment("restored", from: 300, to: 660, map: 58)])
        #expect(try server.database.waitForEmptyQueue())
        #expect(try put(server, "restored", #"{"limits": {}}"#).status == 200)
        try server.database.ingest([Self.segment("restored", from: 660, to: 900, map: 58)])
        #expect(try server.database.waitForEmptyQueue())

        let old = try server.read("/cases/restored/anomalies/\(first)")
        let oldEnd = try #require(old.withJSON { $0["end"]?.string }.flatMap(Timestamp.parseRFC3339))
        #expect(oldEnd / 1_000_000 < Self.start + 660, "not stretched over the rows stored under MAP < 40: \(old.text)")
        let id = try #require(try server.database.scalar(
            "SELECT id FROM anomaly_episodes WHERE case_id = 'restored' AND started_at >= to_timestamp($1::float8)", [String(Self.start + 660)]
        ).flatMap { Int64($0) }, "a new episode from the first row under the defaults")
        let new = try server.read("/cases/restored/anomalies/\(id)")
        let raised = try #require(new.withJSON { json -> String? in
            let alarms = json["alarms"]!
            return (0..<alarms.count).compactMap { alarms[$0] }.first { $0["rule"]?.string == "mbp_lt_65" }?["raised_at"]?.string
        }.flatMap(Timestamp.parseRFC3339), "\(new.text)")
        #expect(raised / 1_000_000 >= Self.start + 675, "15 s after the first row judged by MAP < 65 again: \(raised / 1_000_000 - Self.start)")
        #expect(new.review("acknowledged") == "false", "nobody has seen it: \(new.text)")
    }

    @Test func badLimitsAreRefusedNamingWhyAndStoreNothing() throws {
        let server = try TestServer()
        try server.database.ingest([Self.segment("limits-bad", from: 0, to: 5, map: nil)])
        let bad = [
            #"{"limits": {"mbp_lt_65": 20}}"#: "/limits/mbp_lt_65",
            #"{"limits": {"mbp_lt_65": "50"}}"#: "/limits/mbp_lt_65",
            #"{"limits": {"etco2_lt_30": 30}}"#: "/limits/etco2_lt_30",
            #"{"limits": [50]}"#: "/limits",
            #"{"note": "no limits"}"#: "/limits",
            #"{"limits": {}, "by": "someone"}"#: "/by",
            #"{"limits": {}, "note": 5}"#: "/note",
            "[]": "",
        ]
        for (body, pointer) in bad {
            let refused = try put(server, "limits-bad", body)
            #expect(refused.status == 422 && refused.header("Content-Type") == "application/problem+json", "\(body): \(refused.text)")
            #expect(refused.withJSON { json in json["errors"]?[0]?["pointer"]?.string } == pointer, "\(body): \(refused.text)")
        }
        #expect(try put(server, "limits-bad", "{").status == 400)
        #expect(try put(server, "limits-bad", #"{"limits": {}}"#, contentType: "text/plain").status == 415)
        #expect(try put(server, "limits-bad", #"{"limits": {"hr_gt_140": 180}}"#, scope: "read").status == 403)
        #expect(try put(server, "no-such-case", #"{"limits": {"hr_gt_140": 180}}"#).status == 404)
        #expect(try server.database.count("SELECT count(*) FROM case_limit_changes") == 0)

        #expect(try put(server, "limits-bad", #"{"limits": {"hr_gt_140": 180}}"#).status == 200)
        #expect(try put(server, "limits-bad", #"{"limits": {"hr_gt_140": 180}, "note": "again"}"#).status == 200)
        #expect(try server.database.count("SELECT count(*) FROM case_limit_changes") == 1, "the limits in force are not recorded again")
        let read = try server.read("/cases/limits-bad/limits")
        #expect(Self.ruleIDs(read).first == "hr_gt_180", "\(read.text)")
        #expect(read.withJSON { $0["rules"]?[0]?["default_id"]?.string } == "hr_gt_140")
        let detail = try server.read("/cases/limits-bad")
        #expect(detail.withJSON { $0["limits"]?["hr_gt_140"]?.number } == 180 && detail.withJSON { $0["limits"]?.count } == 1, "\(detail.text)")
        #expect(try server.read("/cases/no-such-case/limits").status == 404)
        // The trail of changes is append-only, as the review trail.
        let connection = try server.database.connect()
        for statement in ["UPDATE case_limit_changes SET note = 'x'", "DELETE FROM case_limit_changes", "TRUNCATE case_limit_changes"] {
            #expect(throws: DatabaseError.self, "\(statement)") { try connection.execute(statement) }
        }
    }

    /// A dashboard open on the case follows a change another client made:
    /// one `limits` event per recorded change, none for limits already in
    /// force, none on opening for a change made before.
    @Test func anOpenStreamIsToldOfLimitsAnotherClientSet() throws {
        let server = try TestServer()
        try server.database.ingest([Self.segment("limits-live", from: 0, to: 5, map: nil)])
        #expect(try put(server, "limits-live", #"{"limits": {"hr_gt_140": 180}}"#).status == 200)
        let stream = try EventStreamReader(port: server.port, path: "/cases/limits-live/stream", token: server.tokens["read"]!)
        var opening: [String] = []
        #expect(waitUntil(seconds: 5) {
            while let event = stream.next(within: 0.1) { opening.append(event.name) }
            return stream.status == 200
        })
        #expect(!opening.contains("limits"), "a change from before the stream opened: \(opening)")

        #expect(try put(server, "limits-live", #"{"limits": {"mbp_lt_65": 50}, "note": "planned hypotension"}"#).status == 200)
        let limits = try #require(Self.next("limits", on: stream), "no limits event")
        #expect(limits.data.contains(#""id":"mbp_lt_50""#) && limits.data.contains(#""id":"hr_gt_140""#), "\(limits.data)")
        #expect(limits.data.contains(#""note":"planned hypotension""#), "\(limits.data)")
        #expect(try put(server, "limits-live", #"{"limits": {"mbp_lt_65": 50}, "note": "again"}"#).status == 200)
        #expect(Self.next("limits", on: stream, within: 1.5) == nil, "limits already in force are no change")

        #expect(try put(server, "limits-live", #"{"limits": {}}"#).status == 200)
        let restored = try #require(Self.next("limits", on: stream), "no event for the defaults")
        #expect(restored.data.contains(#""id":"mbp_lt_65""#) && !restored.data.contains(#""id":"mbp_lt_50""#), "\(restored.data)")
    }

    static func next(_ name: String, on stream: EventStreamReader, within seconds: Double = 5) -> EventStreamReader.Event? {
        let deadline = Clock.monotonicNanos() + UInt64(seconds * 1e9)
        while Clock.monotonicNanos() < deadline {
            if let event = stream.next(within: 0.2), event.name == name { return event }
        }
        return nil
    }
}
