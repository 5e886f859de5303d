import PhysioData
import PhysioHTTP
import PhysioTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `physio evaluate --write-scores F` writes every evaluated sample's
/// detector scores as the CSV `--scores F` reads: read back, the scores rank
/// the samples exactly as the model did, on every task.
@Suite struct EvaluateScoresFileTests {
    /// Runs `physio ARGUMENTS`; its exit status and output.
    func physio(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        let process = try PhysioProcess(arguments, logPath: directory + "/physio-\(arguments[0])-\(UInt32.random(in: 0...UInt32.max)).log")
        let status = process.waitForExit()
        return (status, process.log)
    }

    static let burdenFields = ["model_episodes", "model_episodes_away_from_breaches_per_hour", "rule_episodes_flagged_first_share",
                               "sustained_caught_share", "sustained_flagged_first_share"]

    /// The detector's AUROC of each task in a report, its alarm burden, and
    /// (as "samples") how many samples it evaluated.
    static func detectorSummary(_ path: String) throws -> [String: Double] {
        let document = try JSONDocument.parse(try LineReader.readAll(path: path)).get()
        return withExtendedLifetime(document) {
            var result: [String: Double] = ["samples": document.value["seed_protocol"]?["samples"]?.number ?? -1]
            for field in burdenFields { result[field] = document.value["alarm_burden"]?[field]?.number ?? -1 }
            for task in ["seed_protocol", "early_warning", "hypotension_early_warning"] {
                result[task] = document.value["comparison"]?["tasks"]?[task]?["scorers"]?["detector"]?["roc_auc"]?.number
            }
            return result
        }
    }

    /// A new directory with four simulated cases in `cases`, evaluated with a
    /// model trained on them and `options` (given the directory); the report
    /// is `model.json`. The caller removes the directory.
    func evaluatedCases(_ options: (String) -> [String]) throws -> (directory: String, data: String) {
        var template = Array("/tmp/physio-evaluate-file-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        let data = directory + "/cases"
        let simulated = try physio(["simulate", "--cases", "4", "--hours", "1", "--seed", "7", "--feeds", "mix", "--out", data], in: directory)
        try #require(simulated.status == 0, "\(simulated.output)")
        let written = try physio(["evaluate", "--data", data, "--train-data", data] + options(directory)
                                 + ["--report", directory + "/model.json", "--resamples", "200"], in: directory)
        try #require(written.status == 0, "\(written.output)")
        return (directory, data)
    }

    @Test func scoresWrittenAndReadBackRankAsTheModelDid() throws {
        let (directory, data) = try evaluatedCases { ["--write-scores", $0 + "/scores.csv"] }
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        let scores = directory + "/scores.csv"
        let lines = String(decoding: try LineReader.readAll(path: scores), as: UTF8.self).split(separator: "\n")
        #expect(lines.first == "case_id,t_seconds,score,threshold,hypotension_score,alarm")
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",")[3] == "0.9" }, "the model's alarm threshold")

        let read = try physio(["evaluate", "--data", data, "--scores", scores, "--report", directory + "/file.json",
                               "--resamples", "200"], in: directory)
        try #require(read.status == 0, "\(read.output)")
        let model = try Self.detectorSummary(directory + "/model.json"), file = try Self.detectorSummary(directory + "/file.json")
        #expect(Double(lines.count - 1) == model["samples"], "one line per evaluated sample")
        #expect(model["seed_protocol"] != nil && model["early_warning"] != nil && model["hypotension_early_warning"] != nil,
                "every task is judged on these cases")
        #expect(model["model_episodes"]! > 0 && model["sustained_caught_share"]! > 0, "the model alarmed")
        #expect(model == file, "the same ranking and, from the alarm column, the same alarm episodes")

        // Without the alarm column (scikit-learn's four columns and a fifth),
        // alarms are score > threshold: more of them than the policy's.
        let fiveColumns = directory + "/five.csv"
        let trimmed = lines.map { $0.split(separator: ",").prefix(5).joined(separator: ",") }.joined(separator: "\n") + "\n"
        try AtomicFile.write(Array(trimmed.utf8), to: fiveColumns)
        let bare = try physio(["evaluate", "--data", data, "--scores", fiveColumns, "--report", directory + "/bare.json",
                               "--resamples", "200"], in: directory)
        try #require(bare.status == 0, "\(bare.output)")
        let thresholded = try Self.detectorSummary(directory + "/bare.json")
        #expect(thresholded["early_warning"] == model["early_warning"])
        #expect(Self.burdenFields.contains { thresholded[$0] != model[$0] }, "\(thresholded) against \(model)")

        let refused = try physio(["evaluate", "--data", data, "--scores", scores, "--write-scores", directory + "/again.csv"], in: directory)
        #expect(refused.status != 0 && refused.output.contains("--write-scores"))
    }

    /// `--write-episodes F`: the episodes the alarm burden counts, each with
    /// its source, rules and drivers.
    @Test func episodesWrittenAreTheOnesTheBurdenCounts() throws {
        let (directory, data) = try evaluatedCases { ["--write-episodes", $0 + "/episodes.csv"] }
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        let episodes = directory + "/episodes.csv"
        let lines = String(decoding: try LineReader.readAll(path: episodes), as: UTF8.self).split(separator: "\n")
        #expect(lines.first == "case_id,start_t_seconds,end_t_seconds,raised_at_t_seconds,peak_score,source,rules,drivers,alarms")
        let burden = try Self.detectorSummary(directory + "/model.json")
        #expect(Double(lines.count - 1) == burden["model_episodes"], "one line per episode the burden counts")
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            try #require(fields.count == 9, "\(line)")
            #expect(Double(fields[1])! <= Double(fields[2])!, "\(line)")
            #expect(["model", "rule", "both"].contains(fields[5]), "\(line)")
            let shares = fields[7].split(separator: " ").map { Double($0.split(separator: ":")[1])! }
            #expect(!shares.isEmpty && abs(shares.reduce(0, +) - 1) < 0.01, "drivers as shares: \(line)")
            #expect(shares == shares.sorted(by: >), "largest first: \(line)")
            // Each alarm a rule of the episode, raised inside it, by time.
            let alarms = fields[8].split(separator: " ").map { $0.split(separator: ":") }
            #expect(alarms.allSatisfy { fields[6].split(separator: " ").contains($0[0]) }, "\(line)")
            let times = alarms.map { Double($0[1])! }
            #expect(times == times.sorted() && times.allSatisfy { $0 >= Double(fields[1])! && $0 <= Double(fields[2])! + 60 }, "\(line)")
        }
        let refused = try physio(["evaluate", "--data", data, "--scores", directory + "/none.csv", "--write-episodes", directory + "/again.csv"],
                                 in: directory)
        #expect(refused.status != 0 && refused.output.contains("--write-episodes"))
    }
}
