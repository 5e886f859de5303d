import PhysioClient
import PhysioCore
import PhysioData
import PhysioHTTP
import PhysioPlatform
import PhysioTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `physio evaluate --data <GET /exports/vitals> --model M --labels <GET
/// /exports/annotations>`: a candidate model judged on clinicians' past
/// verdicts, on the span each reviewer saw. Episodes are written and
/// reviewed through the API over a case with two crises; the answers are
/// worked out by hand below.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct EvaluateReplayTests {
    static let start: Int64 = 1_795_700_000

    /// Calm for 40 minutes, with crises (HR 165, SBP 62/35, SpO2 84) at 900–1080, 1700–1800 and 2100–2200 s.
    static func twoCrises() -> SampleBatch {
        var batch = TestModels.calmCase("replay-a", start: start, seconds: 2400, seed: 7)
        for second in Array(900..<1080) + Array(1700..<1800) + Array(2100..<2200) {
            batch.set(.hr, row: second, to: 165)
            batch.set(.sbp, row: second, to: 62)
            batch.set(.dbp, row: second, to: 35)
            batch.set(.spo2, row: second, to: 84)
        }
        return batch
    }

    /// The vitals of replay-a and the annotations, exported to files; the model as a file.
    func reviewedExports(_ server: TestServer, stem: String) throws -> (vitals: String, annotations: String, model: String) {
        _ = try server.database.ingest([Self.twoCrises()])
        let model = try TestModels.register(on: server.database)
        func episode(_ caseID: String, _ from: Int64, _ to: Int64, _ source: String = "model") throws -> Int64 {
            try server.episode(caseID, start: Self.start + from, end: Self.start + to, modelID: model, source: source, rules: [])
        }
        func annotate(_ caseID: String, _ id: Int64, _ body: String) throws {
            #expect(try server.review(caseID, id, "annotate", body).status == 201)
        }
        try annotate("replay-a", try episode("replay-a", 890, 1100, "both"), #"{"verdict":"true_alarm"}"#)   // the candidate alarms: kept
        try annotate("replay-a", try episode("replay-a", 300, 350), #"{"verdict":"false_alarm","reason":"line_flush"}"#)  // calm: not raised
        try annotate("replay-a", try episode("replay-a", 600, 650), #"{"verdict":"true_alarm"}"#)    // calm: missed
        try annotate("replay-a", try episode("replay-a", 1300, 1350), #"{"verdict":"not_sure"}"#)
        try annotate("replay-a", try episode("replay-a", 1500, 1550), #"{"verdict":"artefact","reason":"probe_off"}"#)
        // Acknowledged, never annotated: not judged, but a span someone looked at.
        #expect(try server.review("replay-a", try episode("replay-a", 1690, 1800), "acknowledge").status == 201)
        try annotate("replay-b", try episode("replay-b", 100, 150), #"{"verdict":"true_alarm"}"#)    // not in --data
        // The crisis at 2100 s: the candidate alarms where nobody reviewed anything.

        let vitals = try server.client().get("/exports/vitals?case=replay-a", headers: [server.bearer("export")])
        let annotations = try server.client().get("/exports/annotations", headers: [server.bearer("export")])
        #expect(vitals.status == 200 && annotations.status == 200)
        try AtomicFile.write(vitals.body, to: stem + "-vitals.csv")
        try AtomicFile.write(annotations.body, to: stem + "-annotations.csv")
        try AtomicFile.write(try TestModels.small().encoded(), to: stem + "-model.json")
        return (stem + "-vitals.csv", stem + "-annotations.csv", stem + "-model.json")
    }

    func evaluate(_ arguments: [String], report: String) throws -> (status: Int32, output: String, report: [UInt8]) {
        let log = report + ".log"
        defer { unlink(log) }
        let process = try PhysioProcess(["evaluate"] + arguments + ["--report", report], logPath: log)
        let status = process.waitForExit()
        return (status, process.log, (try? LineReader.readAll(path: report)) ?? [])
    }

    /// `verdict_replay` of a report: its counts and precisions as text, and each verdict's (episodes, alarmed).
    static func replay(_ report: [UInt8]) -> [String: String] {
        guard let document = try? JSONDocument.parse(report).get() else { return [:] }
        return withExtendedLifetime(document) {
            guard let replay = document.value["verdict_replay"] else { return [:] }
            var fields: [String: String] = [:]
            for key in ["judged_episodes", "outside_data", "without_reviewed_span", "unreviewed_candidate_episodes"] {
                fields[key] = replay[key]?.number.map { String(Int($0)) }
            }
            for key in ["precision_as_raised", "candidate_precision", "true_alarm_onset_shift_median_seconds"] {
                fields[key] = replay[key]?.number.map { Format3.text($0) } ?? "null"
            }
            for (list, key) in [("by_verdict", "verdict"), ("wrong_by_reason", "reason")] {
                guard let groups = replay[list] else { continue }
                for index in 0..<groups.count {
                    guard let name = groups[index]?[key]?.string,
                          let episodes = groups[index]?["episodes"]?.number, let alarmed = groups[index]?["candidate_alarmed"]?.number
                    else { continue }
                    fields[name] = "\(Int(episodes)) \(Int(alarmed))"
                }
            }
            return fields
        }
    }

    /// What the comments in `reviewedExports` add up to.
    static let expected = [
        "judged_episodes": "5", "outside_data": "1", "without_reviewed_span": "0", "unreviewed_candidate_episodes": "1",
        "true_alarm": "2 1", "false_alarm": "1 0", "artefact": "1 0", "not_sure": "1 0",
        "line_flush": "1 0", "probe_off": "1 0",   // the false alarm's and the artefact's reasons
        // Decided: two true of four as raised; the candidate alarms in one of them, a true alarm.
        "precision_as_raised": "0.500", "candidate_precision": "1.000",
        // The kept true alarm was reviewed from 890 s; the candidate's floor dates it from the crisis's first row, 900 s.
        "true_alarm_onset_shift_median_seconds": "10.000",
    ]

    @Test func aCandidateModelIsJudgedOnTheSpansTheReviewersSaw() throws {
        let server = try TestServer()
        let stem = "/tmp/physio-replay-\(getpid())"
        defer { for suffix in ["-vitals.csv", "-annotations.csv", "-model.json", ".json"] { unlink(stem + suffix) } }
        let files = try reviewedExports(server, stem: stem)
        let run = try evaluate(["--data", files.vitals, "--model", files.model, "--labels", files.annotations], report: stem + ".json")
        #expect(run.status == 0, "\(run.output)")
        #expect(Self.replay(run.report) == Self.expected, "\(run.output)")
        #expect(run.output.contains("against clinicians' verdicts: 5 annotated episodes judged"), "\(run.output)")
        #expect(run.output.contains("episode starts 10 s after the one reviewed (median; 0 earlier, 1 later, 0 at its start)"), "\(run.output)")

        // The same verdicts without the span columns: the precision table still reads them, the replay judges none.
        let cut = stem + "-cut.csv"
        defer { unlink(cut) }
        let table = try CSVTable.parse(try LineReader.readAll(path: files.annotations))
        let keep = table.header.indices.filter { !table.header[$0].hasPrefix("reviewed_") }
        let text = ([keep.map { table.header[$0] }] + table.rows.map { row in keep.map { row[$0] } })
            .map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
        try AtomicFile.write(Array(text.utf8), to: cut)
        let withoutSpans = try evaluate(["--data", files.vitals, "--model", files.model, "--labels", cut], report: stem + ".json")
        #expect(withoutSpans.status == 0, "\(withoutSpans.output)")
        #expect(Self.replay(withoutSpans.report)["judged_episodes"] == "0")
        #expect(Self.replay(withoutSpans.report)["without_reviewed_span"] == "6")

        // The same case with times from its start (t_seconds), as physio simulate writes them: said, not judged.
        let relative = stem + "-relative.csv"
        defer { unlink(relative) }
        try CaseCSV.write(try #require(CaseCSV.readCases(at: files.vitals).first), to: relative, originMicros: Self.start * 1_000_000)
        let fromStart = try evaluate(["--data", relative, "--model", files.model, "--labels", files.annotations], report: stem + ".json")
        #expect(fromStart.status == 0, "\(fromStart.output)")
        #expect(Self.replay(fromStart.report)["judged_episodes"] == "0" && Self.replay(fromStart.report)["outside_data"] == "6")
        #expect(fromStart.output.contains("5 of those left out have their case in the data but no evaluated sample in the span"), "\(fromStart.output)")
    }

    @Test func theVerdictsAndTheReviewedCasesReadFromTheDatabaseGiveTheSameJudgement() throws {
        let server = try TestServer()
        let stem = "/tmp/physio-replay-database-\(getpid())"
        defer { for suffix in ["-vitals.csv", "-annotations.csv", "-model.json", ".json", ".json.log"] { unlink(stem + suffix) } }
        let files = try reviewedExports(server, stem: stem)
        let log = stem + ".json.log"
        let process = try PhysioProcess(["evaluate", "--model", files.model, "--labels-from-database", "--data-from-database",
                                         "--report", stem + ".json"],
                                        environment: ["PHYSIO_DATABASE_URL": server.database.url], logPath: log)
        #expect(process.waitForExit() == 0, "\(process.log)")
        var expected = Self.expected
        // replay-b is in the database too: the one sample its episode helper stored lies in its span, and is calm.
        expected["judged_episodes"] = "6"
        expected["outside_data"] = "0"
        expected["true_alarm"] = "3 1"
        expected["precision_as_raised"] = "0.600"
        #expect(Self.replay((try? LineReader.readAll(path: stem + ".json")) ?? []) == expected, "\(process.log)")

        let both = try evaluate(["--data", files.vitals, "--data-from-database", "--model", files.model, "--labels", files.annotations],
                                report: stem + ".json")
        #expect(both.status != 0 && both.output.contains("give --data or --data-from-database, not both"), "\(both.output)")
        let noVerdicts = try evaluate(["--data-from-database", "--model", files.model], report: stem + ".json")
        #expect(noVerdicts.status != 0 && noVerdicts.output.contains("reads the reviewed cases"), "\(noVerdicts.output)")
    }

    @Test(.enabled(if: PythonScript.isAvailable, "\(PythonScript.skipMessage)"))
    func theVitalsExportReadAndWrittenBackByPandasGivesTheSameJudgement() throws {
        let server = try TestServer()
        let stem = "/tmp/physio-replay-pandas-\(getpid())"
        defer { for suffix in ["-vitals.csv", "-annotations.csv", "-model.json", "-pandas.csv", ".json"] { unlink(stem + suffix) } }
        let files = try reviewedExports(server, stem: stem)
        // An analyst's round trip: times parsed to datetimes, columns reordered, written without the index.
        let output = try PythonScript.run("""
            import sys, pandas as pd
            vitals = pd.read_csv(sys.argv[1], dtype={"case_id": str}, parse_dates=["t"])
            vitals = vitals[["t", "case_id"] + [c for c in vitals.columns if c not in ("t", "case_id")][::-1]]
            vitals.to_csv(sys.argv[2], index=False)
            print("rows", len(vitals), "first", vitals["t"].iloc[0])
            """, arguments: [files.vitals, stem + "-pandas.csv"])
        #expect(output.contains("rows 2400 first 2026-"), "\(output)")
        let run = try evaluate(["--data", stem + "-pandas.csv", "--model", files.model, "--labels", files.annotations], report: stem + ".json")
        #expect(run.status == 0, "\(run.output)")
        #expect(Self.replay(run.report) == Self.expected, "\(run.output)")
    }
}
