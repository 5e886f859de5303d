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

    /// The detector's AUROC of each task in a report, and (as "samples") how many samples it evaluated.
    static func detectorSummary(_ path: String) throws -> [String: Double] {
        let document = try JSONDocument.parse(try LineReader.readAll(path: path)).get()
        return withExtendedLifetime(document) {
            var result: [String: Double] = ["samples": document.value["seed_protocol"]?["samples"]?.number ?? -1]
            for task in ["seed_protocol", "early_warning", "hypotension_early_warning"] {
                result[task] = document.value["comparison"]?["tasks"]?[task]?["scorers"]?["detector"]?["roc_auc"]?.number
            }
            return result
        }
    }

    @Test func scoresWrittenAndReadBackRankAsTheModelDid() throws {
        var template = Array("/tmp/physio-scores-file-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        let data = directory + "/cases", scores = directory + "/scores.csv"
        let simulated = try physio(["simulate", "--cases", "4", "--hours", "1", "--seed", "7", "--feeds", "mix", "--out", data], in: directory)
        try #require(simulated.status == 0, "\(simulated.output)")

        let written = try physio(["evaluate", "--data", data, "--train-data", data, "--write-scores", scores,
                                  "--report", directory + "/model.json", "--resamples", "200"], in: directory)
        try #require(written.status == 0, "\(written.output)")
        let lines = String(decoding: try LineReader.readAll(path: scores), as: UTF8.self).split(separator: "\n")
        #expect(lines.first == "case_id,t_seconds,score,threshold,hypotension_score")
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",")[3] == "0.9" }, "the model's alarm threshold")

        let read = try physio(["evaluate", "--data", data, "--scores", scores, "--report", directory + "/file.json",
                               "--resamples", "200"], in: directory)
        try #require(read.status == 0, "\(read.output)")
        let model = try Self.detectorSummary(directory + "/model.json"), file = try Self.detectorSummary(directory + "/file.json")
        #expect(Double(lines.count - 1) == model["samples"], "one line per evaluated sample")
        #expect(model["seed_protocol"] != nil && model["early_warning"] != nil && model["hypotension_early_warning"] != nil,
                "every task is judged on these cases")
        #expect(model == file)

        let refused = try physio(["evaluate", "--data", data, "--scores", scores, "--write-scores", directory + "/again.csv"], in: directory)
        #expect(refused.status != 0 && refused.output.contains("--write-scores"))
    }
}
