import ArgumentParser
import PhysioCore
import PhysioData
import PhysioPlatform
import PhysioLab

/// Scores computed elsewhere: CSV `case_id,t_seconds,score,threshold`, one
/// threshold per case, optionally with a fifth column `hypotension_score`
/// (the detector's own score for the hypotension task; without it, `score`).
/// `physio evaluate --write-scores` writes the five columns.
struct ExternalScores {
    static let header = "case_id,t_seconds,score,threshold"
    static let headerWithHypotension = header + ",hypotension_score"

    private var byCase: [String: (times: [Int64: (score: Double, hypotension: Double)], threshold: Double)] = [:]
    private var hasHypotension = false

    static func read(_ path: String) throws -> ExternalScores {
        let reader = try LineReader(path: path)
        var scores = ExternalScores()
        switch try reader.nextLine() {
        case header: break
        case headerWithHypotension: scores.hasHypotension = true
        default: throw ValidationError("\(path): expected the header \(header) (optionally ,hypotension_score)")
        }
        let columns = scores.hasHypotension ? 5 : 4
        var number = 1
        while let line = try reader.nextLine() {
            number += 1
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columns, let seconds = Double(fields[1]), let score = Double(fields[2]), let threshold = Double(fields[3]),
                  score.isFinite, threshold.isFinite else { throw ValidationError("\(path):\(number): bad line") }
            var hypotension = score
            if scores.hasHypotension {
                guard let value = Double(fields[4]), value.isFinite else { throw ValidationError("\(path):\(number): bad line") }
                hypotension = value
            }
            let caseID = String(fields[0])
            if let known = scores.byCase[caseID]?.threshold, known != threshold {
                throw ValidationError("\(path):\(number): case \(caseID) has two thresholds (one model per case)")
            }
            scores.byCase[caseID, default: ([:], threshold)].times[Timestamp.micros(seconds: seconds)] = (score, hypotension)
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
        return DetectorOutput(scores: found.map(\.score), threshold: threshold,
                              hypotensionScores: hasHypotension ? found.map(\.hypotension) : nil)
    }

    /// Every evaluated row's detector score, as `read` reads them back: the
    /// threshold is the model's alarm threshold (its alarms add persistence
    /// and the safety floor, which a file of scores does not carry).
    static func write(_ scored: ScoredCases, to path: String) throws {
        let writer = try TextWriter(path: path)
        defer { writer.close() }
        writer.write(headerWithHypotension + "\n")
        for fold in scored.folds {
            guard let threshold = fold.model?.policy.threshold else { continue }  // scores read from a file: nothing to write
            for scores in fold.cases {
                var text = ""
                for (index, row) in scores.evaluated.enumerated() {
                    text += "\(scores.caseID),\(Timestamp.secondsText(scores.timestamps[row])),\(scores.scores[index]),\(threshold),\(scores.hypotensionScores[index])\n"
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
