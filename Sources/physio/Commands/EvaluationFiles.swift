import ArgumentParser
import PhysioCore
import PhysioData
import PhysioPlatform
import PhysioLab

/// Scores computed elsewhere: CSV `case_id,t_seconds,score,threshold`, one
/// threshold per case, optionally followed by `hypotension_score` (the
/// detector's own score for the hypotension task; without it, `score`) and
/// `alarm` (1 where the detector alarmed; without it, score > threshold).
/// `physio evaluate --write-scores` writes all six columns.
struct ExternalScores {
    static let header = "case_id,t_seconds,score,threshold"
    static let optionalColumns = ["hypotension_score", "alarm"]

    private var byCase: [String: (times: [Int64: (score: Double, hypotension: Double, alarm: Bool)], threshold: Double)] = [:]
    private var hasHypotension = false
    private var hasAlarms = false

    static func read(_ path: String) throws -> ExternalScores {
        let reader = try LineReader(path: path)
        var scores = ExternalScores()
        let names = (try reader.nextLine() ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let extra = Array(names.dropFirst(4))
        guard names.prefix(4).joined(separator: ",") == header, extra.allSatisfy(optionalColumns.contains), Set(extra).count == extra.count else {
            throw ValidationError("\(path): expected the header \(header) (optionally ,hypotension_score and ,alarm)")
        }
        let hypotensionColumn = extra.firstIndex(of: "hypotension_score").map { $0 + 4 }
        let alarmColumn = extra.firstIndex(of: "alarm").map { $0 + 4 }
        scores.hasHypotension = hypotensionColumn != nil
        scores.hasAlarms = alarmColumn != nil
        var number = 1
        while let line = try reader.nextLine() {
            number += 1
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == names.count, let seconds = Double(fields[1]), let score = Double(fields[2]), let threshold = Double(fields[3]),
                  score.isFinite, threshold.isFinite else { throw ValidationError("\(path):\(number): bad line") }
            var hypotension = score
            if let hypotensionColumn {
                guard let value = Double(fields[hypotensionColumn]), value.isFinite else { throw ValidationError("\(path):\(number): bad line") }
                hypotension = value
            }
            var alarm = score > threshold
            if let alarmColumn {
                guard ["0", "1"].contains(fields[alarmColumn]) else { throw ValidationError("\(path):\(number): alarm must be 0 or 1") }
                alarm = fields[alarmColumn] == "1"
            }
            let caseID = String(fields[0])
            if let known = scores.byCase[caseID]?.threshold, known != threshold {
                throw ValidationError("\(path):\(number): case \(caseID) has two thresholds (one model per case)")
            }
            scores.byCase[caseID, default: ([:], threshold)].times[Timestamp.micros(seconds: seconds)] = (score, hypotension, alarm)
        }
        return scores
    }

    func threshold(of caseID: String) throws -> Double {
        guard let threshold = byCase[caseID]?.threshold else { throw ValidationError("no scores for case \(caseID)") }
        return threshold
    }

    /// The scores of rows `rows` of `series`, and its hypotension scores when the file has them.
    func output(of series: SampleBatch, rows: Range<Int>, threshold: Double) throws -> DetectorOutput {
        let times = byCase[series.caseID]?.times ?? [:]
        let found = try rows.map { row in
            guard let found = times[series.timestamps[row]] else {
                throw ValidationError("no score for case \(series.caseID) at t = \(Timestamp.secondsText(series.timestamps[row])) s")
            }
            return found
        }
        return DetectorOutput(scores: found.map(\.score), alarms: found.map(\.alarm),
                              hypotensionScores: hasHypotension ? found.map(\.hypotension) : nil)
    }

    /// Every evaluated row's detector score and alarm, as `read` reads them
    /// back: the threshold is the model's alarm threshold, the alarm its
    /// policy's (persistence, hold and the safety floor).
    static func write(_ scored: ScoredCases, to path: String) throws {
        let writer = try TextWriter(path: path)
        defer { writer.close() }
        writer.write(([header] + optionalColumns).joined(separator: ",") + "\n")
        for fold in scored.folds {
            guard let threshold = fold.model?.policy.threshold else { continue }  // scores read from a file: nothing to write
            for scores in fold.cases {
                var text = ""
                for (index, row) in scores.evaluated.enumerated() {
                    text += "\(scores.caseID),\(Timestamp.secondsText(scores.timestamps[row])),\(scores.scores[index]),\(threshold),"
                        + "\(scores.hypotensionScores[index]),\(scores.alarms[index] ? 1 : 0)\n"
                }
                writer.write(text)
            }
        }
    }
}

/// Which feed each case came from: CSV `case_id,feed` (feeds.csv of `physio simulate`).
enum FeedsCSV {
    static let header = FeedLabelsCSV.header  // the simulator writes it; other generators may name other feeds

    /// The feed of each case in `path`; every one of `cases` must be named.
    static func read(_ path: String, cases: [String]) throws -> [String: String] {
        let reader = try LineReader(path: path)
        guard try reader.nextLine() == header else { throw ValidationError("\(path): expected the header \(header)") }
        var feeds: [String: String] = [:]
        var number = 1
        while let line = try reader.nextLine() {
            number += 1
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else { throw ValidationError("\(path):\(number): bad line '\(line)'") }
            if let known = feeds[String(fields[0])], known != fields[1] {
                throw ValidationError("\(path):\(number): case \(fields[0]) has two feeds")
            }
            feeds[String(fields[0])] = String(fields[1])
        }
        let unnamed = cases.filter { feeds[$0] == nil }
        guard unnamed.isEmpty else {
            throw ValidationError("\(path) names no feed for \(unnamed.count) evaluated cases (first: \(unnamed[0]))")
        }
        return feeds
    }
}
