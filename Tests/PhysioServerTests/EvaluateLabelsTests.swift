import PhysioClient
import PhysioData
import PhysioHTTP
import PhysioPlatform
import PhysioTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `physio evaluate --labels FILE` and `--labels-from-database`: clinicians'
/// verdicts, recorded through the review API on episodes of each source and
/// exported by `GET /exports/annotations`, turned into the precision of the
/// model's episodes beside what threshold labels say of the same episodes.
/// The fixture's answers are worked out by hand below.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct EvaluateLabelsTests {
    static let start: Int64 = 1_795_600_000

    /// Seven episodes in three cases, reviewed as the comments say.
    func reviewed(_ server: TestServer) throws {
        let model = try TestModels.register(on: server.database)
        func episode(_ caseID: String, _ minute: Int64, _ source: String, _ rules: [String]) throws -> Int64 {
            try server.episode(caseID, start: Self.start + minute * 60, end: Self.start + minute * 60 + 50, modelID: model,
                               source: source, rules: rules)
        }
        func annotate(_ caseID: String, _ id: Int64, _ body: String, scope: String = "review") throws {
            #expect(try server.review(caseID, id, "annotate", body, scope: scope).status == 201)
        }
        let e1 = try episode("lab-a", 1, "model", [])                  // false alarm, line flush; no threshold crossed
        let e2 = try episode("lab-a", 5, "both", ["sbp_lt_80"])        // true, then another reviewer: false (stands; contested)
        let e3 = try episode("lab-a", 9, "rule", ["spo2_lt_90"])       // true alarm
        let e4 = try episode("lab-b", 1, "model", [])                  // artefact, probe off
        let e5 = try episode("lab-b", 5, "model", ["hr_gt_140"])       // true alarm, drug given
        let e6 = try episode("lab-c", 1, "both", ["mbp_lt_65"])        // not sure
        let e7 = try episode("lab-c", 5, "model", [])                  // acknowledged only
        try annotate("lab-a", e1, #"{"verdict":"false_alarm","reason":"line_flush","note":"flush, \"square\" wave"}"#)
        try annotate("lab-a", e2, #"{"verdict":"true_alarm"}"#)
        try annotate("lab-a", e2, #"{"verdict":"false_alarm"}"#, scope: "admin")
        try annotate("lab-a", e3, #"{"verdict":"true_alarm"}"#)
        try annotate("lab-b", e4, #"{"verdict":"artefact","reason":"probe_off"}"#)
        try annotate("lab-b", e5, #"{"verdict":"true_alarm","reason":"drug_given","note":"phenylephrine"}"#)
        try annotate("lab-c", e6, #"{"verdict":"not_sure"}"#)
        #expect(try server.review("lab-c", e7, "acknowledge").status == 201)
        #expect(try server.review("lab-a", e1, "acknowledge").status == 201)
    }

    /// Runs `physio evaluate ARGUMENTS --report R`; the exit status, its output and the report.
    func evaluate(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String, report: [UInt8]) {
        let stem = "/tmp/physio-evaluate-labels-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(stem + ".log"); unlink(stem + ".json") }
        let process = try PhysioProcess(["evaluate"] + arguments + ["--report", stem + ".json"], environment: environment,
                                        logPath: stem + ".log")
        let status = process.waitForExit()
        return (status, process.log, (try? LineReader.readAll(path: stem + ".json")) ?? [])
    }

    /// `clinician_labels.<list>[group]` of a report, as name → value text.
    static func row(_ report: [UInt8], _ list: String, _ group: String) -> [String: String] {
        guard let document = try? JSONDocument.parse(report).get() else { return [:] }
        return withExtendedLifetime(document) {
            guard let rows = document.value["clinician_labels"]?[list] else { return [:] }
            for index in 0..<rows.count where rows[index]?["group"]?.string == group {
                var fields: [String: String] = [:]
                for key in ["episodes", "true_alarm", "false_alarm", "artefact", "not_sure", "threshold_crossed"] {
                    fields[key] = rows[index]?[key]?.number.map { String(Int($0)) }
                }
                for key in ["precision", "threshold_label_precision", "agreement"] {
                    fields[key] = rows[index]?[key]?.number.map { Format3.text($0) } ?? "null"
                }
                return fields
            }
            return [:]
        }
    }

    static func summary(_ report: [UInt8], _ key: String) -> Double? {
        guard let document = try? JSONDocument.parse(report).get() else { return nil }
        return withExtendedLifetime(document) { document.value["clinician_labels"]?[key]?.number }
    }

    @Test func verdictsFromTheExportAndFromTheDatabaseGiveTheSameNumbers() throws {
        let server = try TestServer()
        try reviewed(server)
        let export = try server.client().get("/exports/annotations", headers: [server.bearer("export")])
        #expect(export.status == 200)
        let file = "/tmp/physio-annotations-\(getpid()).csv"
        try AtomicFile.write(export.body, to: file)
        defer { unlink(file) }

        let fromFile = try evaluate(["--labels", file])
        #expect(fromFile.status == 0, "\(fromFile.output)")
        let report = fromFile.report
        #expect(Self.summary(report, "annotated_episodes") == 6)
        #expect(Self.summary(report, "cases") == 3)
        #expect(Self.summary(report, "acknowledged_only") == 1)
        #expect(Self.summary(report, "contested") == 1)
        // The model's episodes (e1 e2 e4 e5 e6): one true of four decided; threshold labels call two of them true
        // (e2, e5) and agree with the clinicians on e1, e4, e5.
        #expect(Self.row(report, "by_source", "model-raised (model, both)") == [
            "episodes": "5", "true_alarm": "1", "false_alarm": "2", "artefact": "1", "not_sure": "1", "threshold_crossed": "2",
            "precision": "0.250", "threshold_label_precision": "0.500", "agreement": "0.750",
        ])
        #expect(Self.row(report, "by_source", "model alone (warning)")["precision"] == "0.333")
        #expect(Self.row(report, "by_source", "both (warning + breach)") == [
            "episodes": "2", "true_alarm": "0", "false_alarm": "1", "artefact": "0", "not_sure": "1", "threshold_crossed": "1",
            "precision": "0.000", "threshold_label_precision": "1.000", "agreement": "0.000",
        ])
        #expect(Self.row(report, "by_source", "rule alone (safety floor)")["precision"] == "1.000")
        #expect(Self.row(report, "by_source", "all annotated") == [
            "episodes": "6", "true_alarm": "2", "false_alarm": "2", "artefact": "1", "not_sure": "1", "threshold_crossed": "3",
            "precision": "0.400", "threshold_label_precision": "0.600", "agreement": "0.800",
        ])
        #expect(Self.row(report, "model_by_reason", "line_flush")["false_alarm"] == "1")
        #expect(Self.row(report, "model_by_reason", "line_flush")["precision"] == "0.000")
        #expect(Self.row(report, "model_by_reason", "probe_off")["artefact"] == "1")
        #expect(Self.row(report, "model_by_reason", "drug_given")["precision"] == "1.000")
        #expect(Self.row(report, "model_by_reason", "(none)")["episodes"] == "2")
        #expect(Self.row(report, "model_by_reason", "electrocautery").isEmpty, "no episode gave it")
        #expect(fromFile.output.contains("model-raised (model, both)"), "\(fromFile.output)")
        #expect(fromFile.output.contains("threshold-label precision"), "\(fromFile.output)")

        let fromDatabase = try evaluate(["--labels-from-database"], environment: ["PHYSIO_DATABASE_URL": server.database.url])
        #expect(fromDatabase.status == 0, "\(fromDatabase.output)")
        for group in ["model-raised (model, both)", "model alone (warning)", "both (warning + breach)", "rule alone (safety floor)", "all annotated"] {
            #expect(Self.row(fromDatabase.report, "by_source", group) == Self.row(report, "by_source", group), "\(group)")
        }
        #expect(Self.row(fromDatabase.report, "model_by_reason", "line_flush") == Self.row(report, "model_by_reason", "line_flush"))
    }

    @Test func aLabelsFileItCannotReadIsRefusedNamingTheLine() throws {
        let file = "/tmp/physio-annotations-bad-\(getpid()).csv"
        defer { unlink(file) }
        let header = "action_id,case_id,episode_id,episode_start,episode_end,action,verdict,reason,note,reviewer,at,reviewed_episode_id,reviewed_start,reviewed_end,episode_source,episode_rules\n"
        let good = "1,or-1,4,2026-11-24T10:00:00.000000Z,2026-11-24T10:01:00.000000Z,annotate,true_alarm,,,dr-lee,2026-11-24T10:02:00.000000Z,4,2026-11-24T10:00:00.000000Z,2026-11-24T10:01:00.000000Z,model,\n"
        try AtomicFile.write(Array((header + good + good.replacing("true_alarm", with: "maybe")).utf8), to: file)
        let unknownVerdict = try evaluate(["--labels", file])
        #expect(unknownVerdict.status != 0)
        #expect(unknownVerdict.output.contains("\(file):3: unknown verdict 'maybe'"), "\(unknownVerdict.output)")

        try AtomicFile.write(Array("action_id,case_id,verdict\n1,or-1,true_alarm\n".utf8), to: file)
        let notAnExport = try evaluate(["--labels", file])
        #expect(notAnExport.status != 0)
        #expect(notAnExport.output.contains("no column episode_id"), "\(notAnExport.output)")

        let noData = try evaluate(["--model", "m.json", "--labels", file])
        #expect(noData.status != 0)
        #expect(noData.output.contains("need --data"), "\(noData.output)")
    }
}

/// Three decimals, for comparing report numbers as text.
enum Format3 {
    static func text(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
