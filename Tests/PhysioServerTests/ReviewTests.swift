import PhysioClient
import PhysioCore
import PhysioHTTP
import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

/// Acknowledging and annotating episodes over a real server and database:
/// each action appended to the audit trail with the token's name and time,
/// returned with the episode, and nothing stored for bad input.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ReviewTests {
    static let start: Int64 = 1_795_600_000

    @Test func aSecondAcknowledgementChangesNothing() throws {
        let server = try TestServer()
        let model = try TestModels.register(on: server.database)
        let id = try server.episode("ack-1", start: Self.start, end: Self.start + 90, modelID: model)
        let before = Clock.nowMicros()

        let first = try server.review("ack-1", id, "acknowledge")
        #expect(first.status == 201, "\(first.text)")
        #expect(first.header("Content-Type") == "application/json")
        #expect(first.number("id") == Double(id))
        #expect(first.review("acknowledged") == "true")
        #expect(first.review("acknowledged_by") == "test-review")
        let at = try #require(first.review("acknowledged_at").flatMap(Timestamp.parseRFC3339))
        #expect(at >= before - 1_000_000 && at <= Clock.nowMicros() + 1_000_000)
        #expect(first.trailActions == ["acknowledge"])

        // Again, by the same token and by another (admin includes review): 200, the first acknowledgement stands.
        for scope in ["review", "admin"] {
            let again = try server.review("ack-1", id, "acknowledge", scope: scope)
            #expect(again.status == 200, "\(scope): \(again.text)")
            #expect(again.review("acknowledged_by") == "test-review")
            #expect(again.trailActions == ["acknowledge"])
        }
        // An empty object is an empty body.
        #expect(try server.review("ack-1", id, "acknowledge", "{}").status == 200)
        #expect(try server.database.count("SELECT count(*) FROM review_actions") == 1)
        #expect(try server.database.scalar("SELECT actor || ' ' || action || ' ' || episode_id FROM review_actions") == "test-review acknowledge \(id)")
    }

    /// The check and the insert happen under the episode row's lock.
    @Test func simultaneousAcknowledgementsStoreOne() throws {
        let server = try TestServer { $0.http.threads = 4; $0.poolSize = 8 }
        let model = try TestModels.register(on: server.database)
        let id = try server.episode("ack-race", start: Self.start, end: Self.start + 90, modelID: model)
        let statuses = Locked<[Int]>([])
        let done = Locked(0)
        for _ in 0..<8 {
            startThread {
                let status = (try? server.review("ack-race", id, "acknowledge").status) ?? -1
                statuses.withLock { $0.append(status) }
                done.withLock { $0 += 1 }
            }
        }
        #expect(waitUntil(seconds: 20) { done.value == 8 })
        #expect(statuses.value.sorted() == [200, 200, 200, 200, 200, 200, 200, 201], "\(statuses.value)")
        #expect(try server.database.count("SELECT count(*) FROM review_actions") == 1)
    }

    @Test func annotationsAppendAndTheLatestVerdictStands() throws {
        let server = try TestServer()
        let model = try TestModels.register(on: server.database)
        let id = try server.episode("note-1", start: Self.start, end: Self.start + 40, modelID: model)

        let first = try server.review("note-1", id, "annotate", #"{"verdict":"false_alarm","reason":"line_flush","note":"flushed the art line"}"#)
        #expect(first.status == 201, "\(first.text)")
        #expect(first.review("verdict") == "false_alarm")
        #expect(first.review("reason") == "line_flush")
        #expect(first.review("note") == "flushed the art line")
        #expect(first.review("annotated_by") == "test-review")
        #expect(first.review("acknowledged") == "false", "annotating is not acknowledging")

        // A retried request: not stored again.
        let retried = try server.review("note-1", id, "annotate", #"{"verdict":"false_alarm","reason":"line_flush","note":"flushed the art line"}"#)
        #expect(retried.status == 200)
        #expect(retried.trailActions == ["annotate"])

        // Another verdict, by another reviewer, with no reason: appended; it stands, the first stays in the trail.
        let second = try server.review("note-1", id, "annotate", #"{"verdict":"true_alarm","reason":null,"note":""}"#, scope: "admin")
        #expect(second.status == 201, "\(second.text)")
        #expect(second.review("verdict") == "true_alarm")
        #expect(second.review("reason") == nil)
        #expect(second.review("note") == nil)
        #expect(second.review("annotated_by") == "test-admin")
        #expect(second.trailActions == ["annotate", "annotate"])
        #expect(second.withJSON { $0["review"]?["trail"]?[0]?["verdict"]?.string } == "false_alarm")
        #expect(try server.database.count("SELECT count(*) FROM review_actions WHERE episode_id = \(id)") == 2)

        // The first reviewer's retry arriving after the second's annotation: still not stored, the second's verdict stands.
        let late = try server.review("note-1", id, "annotate", #"{"verdict":"false_alarm","reason":"line_flush","note":"flushed the art line"}"#)
        #expect(late.status == 200, "\(late.text)")
        #expect(late.review("verdict") == "true_alarm")
        #expect(late.trailActions == ["annotate", "annotate"])
        #expect(try server.database.count("SELECT count(*) FROM review_actions WHERE episode_id = \(id)") == 2)

        // Every verdict and reason of the documented lists is taken.
        for verdict in ReviewVerdict.allCases {
            for reason in ReviewReason.allCases {
                let response = try server.review("note-1", id, "annotate", #"{"verdict":"\#(verdict.rawValue)","reason":"\#(reason.rawValue)"}"#)
                #expect(response.status == 201, "\(verdict) \(reason): \(response.text)")
            }
        }
        #expect(try server.database.count("SELECT count(*) FROM review_actions") == 2 + ReviewVerdict.allCases.count * ReviewReason.allCases.count)
    }

    @Test func badInputIsRefusedAndNothingIsStored() throws {
        let server = try TestServer()
        let model = try TestModels.register(on: server.database)
        let id = try server.episode("bad-1", start: Self.start, end: Self.start + 40, modelID: model)
        let other = try server.episode("bad-2", start: Self.start, end: Self.start + 40, modelID: model)
        let valid = #"{"verdict":"artefact"}"#

        // Unknown episodes, an episode of another case, an unknown case: 404.
        for (caseID, episode) in [("bad-1", id + other + 100), ("bad-1", other), ("nobody", id)] {
            for action in ["acknowledge", "annotate"] {
                let response = try server.review(caseID, episode, action, action == "annotate" ? valid : nil)
                #expect(response.status == 404, "\(caseID)/\(episode)/\(action): \(response.text)")
                #expect(response.header("Content-Type") == "application/problem+json")
            }
            #expect(try server.read("/cases/\(caseID)/anomalies/\(episode)").status == 404)
        }
        // Not an id: 400.
        for path in ["/cases/bad-1/anomalies/abc/acknowledge", "/cases/bad-1/anomalies/-1/acknowledge",
                     "/cases/bad-1/anomalies/0/acknowledge", "/cases/bad-1/anomalies/99999999999999999999/acknowledge"] {
            #expect(try server.client().send("POST", path, headers: [server.bearer("review")]).status == 400, "\(path)")
        }
        // Wrong verdict, reason, note, fields: 422 naming the member.
        let unprocessable: [(String, String)] = [
            (#"{"verdict":"maybe"}"#, "/verdict"),
            (#"{"verdict":"TRUE_ALARM"}"#, "/verdict"),
            (#"{"verdict":1}"#, "/verdict"),
            (#"{"verdict":null}"#, "/verdict"),
            (#"{"reason":"line_flush"}"#, "/verdict"),
            (#"{}"#, "/verdict"),
            (#"{"verdict":"artefact","reason":"cosmic_rays"}"#, "/reason"),
            (#"{"verdict":"artefact","note":42}"#, "/note"),
            (#"{"verdict":"artefact","note":"\#(String(repeating: "é", count: 2001))"}"#, "/note"),
            (#"{"verdict":"artefact","verdikt":"true_alarm"}"#, "/verdikt"),
            (#"["artefact"]"#, ""),
        ]
        for (body, pointer) in unprocessable {
            let response = try server.review("bad-1", id, "annotate", body)
            #expect(response.status == 422, "\(body): \(response.text)")
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(response.withJSON { $0["errors"]?[0]?["pointer"]?.string } == pointer, "\(body): \(response.text)")
        }
        #expect(try server.review("bad-1", id, "acknowledge", #"{"note":"seen"}"#).status == 422)
        // Malformed JSON 400; no body or not JSON 415.
        #expect(try server.review("bad-1", id, "annotate", #"{"verdict":"#).status == 400)
        #expect(try server.review("bad-1", id, "annotate", #"{"verdict":"artefact","verdict":"true_alarm"}"#).status == 400)
        #expect(try server.review("bad-1", id, "annotate", #"{"verdict":"artefact","note":"a\u0000b"}"#).status == 400, "jansson refuses U+0000")
        #expect(try server.review("bad-1", id, "annotate").status == 415)
        #expect(try server.review("bad-1", id, "annotate", valid, contentType: "text/plain").status == 415)
        #expect(try server.review("bad-1", id, "acknowledge", "seen", contentType: "text/plain").status == 415)
        // Unknown query parameters: 400.
        #expect(try server.client().send("POST", "/cases/bad-1/anomalies/\(id)/acknowledge?force=1", headers: [server.bearer("review")]).status == 400)

        #expect(try server.database.count("SELECT count(*) FROM review_actions") == 0)
        // And the valid request still works afterwards.
        #expect(try server.review("bad-1", id, "annotate", #"{"verdict":"artefact","note":"\#(String(repeating: "é", count: 2000))"}"#).status == 201)
    }

    @Test func reviewingNeedsTheReviewScopeWhichAdminIncludes() throws {
        let server = try TestServer()
        let model = try TestModels.register(on: server.database)
        let id = try server.episode("scope-1", start: Self.start, end: Self.start + 40, modelID: model)
        for scope in ["read", "ingest", "export"] {
            let response = try server.review("scope-1", id, "acknowledge", scope: scope)
            #expect(response.status == 403, "\(scope)")
            #expect(response.header("WWW-Authenticate")?.contains(#"scope="review""#) == true)
            #expect(try server.review("scope-1", id, "annotate", #"{"verdict":"not_sure"}"#, scope: scope).status == 403)
        }
        let anonymous = try server.client().send("POST", "/cases/scope-1/anomalies/\(id)/acknowledge")
        #expect(anonymous.status == 401)
        #expect(try server.database.count("SELECT count(*) FROM review_actions") == 0)
        // The review scope alone cannot read; admin can review.
        #expect(try server.read("/cases/scope-1/anomalies", scope: "review").status == 403)
        #expect(try server.review("scope-1", id, "acknowledge", scope: "admin").status == 201)
        #expect(try server.database.scalar("SELECT actor FROM review_actions") == "test-admin")
    }

    /// Nothing in the API edits or removes an entry, and the database refuses it from anyone else.
    @Test func theAuditTrailIsAppendOnly() throws {
        let server = try TestServer()
        let model = try TestModels.register(on: server.database)
        let id = try server.episode("audit-1", start: Self.start, end: Self.start + 40, modelID: model)
        #expect(try server.review("audit-1", id, "annotate", #"{"verdict":"true_alarm"}"#).status == 201)
        for method in ["PUT", "PATCH", "DELETE"] {
            for suffix in ["", "/acknowledge", "/annotate"] {
                let response = try server.client().send(method, "/cases/audit-1/anomalies/\(id)\(suffix)", headers: [server.bearer("admin")])
                #expect(response.status == 405, "\(method) \(suffix)")
            }
        }
        let connection = try server.database.connect()
        try connection.execute("""
            INSERT INTO episode_merges (absorbed_id, survivor_id, case_id, absorbed_start, absorbed_end)
            VALUES (\(id + 1), \(id), 'audit-1', now(), now())
            """)
        for statement in ["UPDATE review_actions SET verdict = 'false_alarm'", "DELETE FROM review_actions",
                          "TRUNCATE review_actions", "UPDATE episode_merges SET survivor_id = 1", "DELETE FROM episode_merges", "TRUNCATE episode_merges"] {
            #expect(throws: DatabaseError.self, "\(statement)") { try connection.execute(statement) }
        }
        #expect(try server.database.scalar("SELECT verdict::text FROM review_actions") == "true_alarm")
    }

    /// The review travels with the episode: the list, one episode, a case's open episode.
    @Test func everyAnswerWithAnEpisodeCarriesItsReview() throws {
        let server = try TestServer()
        let model = try TestModels.register(on: server.database)
        let first = try server.episode("show-1", start: Self.start, end: Self.start + 40, modelID: model)
        let second = try server.episode("show-1", start: Self.start + 600, end: Self.start + 700, modelID: model)
        // A score at the second episode's end makes it the open one.
        try server.database.connect().execute("""
            INSERT INTO anomaly_scores (case_id, ts, score, anomalous, model_id, ingested_at, scored_at)
            VALUES ('show-1', to_timestamp(\(Self.start + 700)), 0.7, false, \(model), now(), now())
            """)
        // Read once, so the answer is kept; the review must not be served stale from it.
        let listed = try server.read("/cases/show-1/anomalies")
        #expect(listed.withJSON { $0["episodes"]?[1]?["review"]?["acknowledged"]?.bool } == false)
        #expect(try server.review("show-1", second, "acknowledge").status == 201)
        #expect(try server.review("show-1", first, "annotate", #"{"verdict":"artefact","reason":"probe_off"}"#).status == 201)

        let list = try server.read("/cases/show-1/anomalies")
        #expect(list.withJSON { $0["episodes"]?[0]?["review"]?["verdict"]?.string } == "artefact")
        #expect(list.withJSON { $0["episodes"]?[0]?["review"]?["acknowledged"]?.bool } == false)
        #expect(list.withJSON { $0["episodes"]?[1]?["review"]?["acknowledged"]?.bool } == true)
        let one = try server.read("/cases/show-1/anomalies/\(first)")
        #expect(one.status == 200)
        #expect(one.review("reason") == "probe_off")
        #expect(one.header("Content-Location") == "/cases/show-1/anomalies/\(first)")
        let detail = try server.read("/cases/show-1")
        #expect(detail.withJSON { $0["open_episode"]?["id"]?.number } == Double(second))
        #expect(detail.withJSON { $0["open_episode"]?["review"]?["acknowledged_by"]?.string } == "test-review")
    }

    @Test func reviewActionsAreStreamedAsEvents() throws {
        // A fetch that meets a busy pool (a loaded machine) is retried at the next wake: make that soon.
        let server = try TestServer { $0.streamHeartbeatSeconds = 1 }
        let model = try TestModels.register(on: server.database)
        let id = try server.episode("live-r", start: Self.start, end: Self.start + 40, modelID: model)
        #expect(try server.review("live-r", id, "acknowledge").status == 201)
        let stream = try EventStreamReader(port: server.port, path: "/cases/live-r/stream", token: server.tokens["read"]!)
        #expect(stream.next(within: 0.5) == nil, "what happened before the stream opened is not sent")
        #expect(stream.status == 200)

        #expect(try server.review("live-r", id, "annotate", #"{"verdict":"false_alarm","reason":"patient_movement","note":"moved onto the table"}"#).status == 201)
        // Generous: the test runs beside the whole suite, on a machine that may be loaded (a CI run once waited over 3 s).
        let event = try #require(stream.next(within: 15))
        #expect(event.name == "review")
        let parsed = try JSONDocument.parse(Array(event.data.utf8)).get()
        #expect(parsed.value["entry"]?["action"]?.string == "annotate")
        #expect(parsed.value["entry"]?["by"]?.string == "test-review")
        #expect(parsed.value["entry"]?["reason"]?.string == "patient_movement")
        #expect(parsed.value["episode"]?["id"]?.number == Double(id))
        #expect(parsed.value["episode"]?["review"]?["acknowledged"]?.bool == true)
        #expect(parsed.value["episode"]?["review"]?["verdict"]?.string == "false_alarm")
        // An idempotent repeat stores nothing, so nothing is sent.
        #expect(try server.review("live-r", id, "acknowledge").status == 200)
        #expect(stream.next(within: 0.7) == nil)

        // Resuming after the event's id sends it no more; an id of the earlier three-part form still resumes.
        let resumed = try EventStreamReader(port: server.port, path: "/cases/live-r/stream", token: server.tokens["read"]!,
                                            lastEventID: event.id)
        #expect(resumed.next(within: 0.7) == nil)
        #expect(event.id?.split(separator: ".").count == 6, "four times, the session, the sequence")
        let parts = event.id!.split(separator: ".")
        let old = try EventStreamReader(port: server.port, path: "/cases/live-r/stream", token: server.tokens["read"]!,
                                        lastEventID: parts.prefix(3).joined(separator: "."))
        #expect(try server.review("live-r", id, "annotate", #"{"verdict":"true_alarm"}"#).status == 201)
        #expect(old.next(within: 15)?.name == "review")
        #expect(old.status == 200)
    }
}
