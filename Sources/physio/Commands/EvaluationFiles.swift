import ArgumentParser
import PhysioCore
import PhysioData
import PhysioPlatform
import PhysioLab

/// Scores computed elsewhere: CSV `case_id,t_seconds,score,threshold`, one threshold per case.
struct ExternalScores {
    private var byCase: [String: (times: [Int64: Double], threshold: Double)] = [:]

    static func read(_ path: String) throws -> ExternalScores {
        let reader = try LineReader(path: path)
        guard try reader.nextLine() == "case_id,t_seconds,score,threshold" else {
            throw ValidationError("\(path): expected the header case_id,t_seconds,score,threshold")
        }
        var scores = ExternalScores()
        var number = 1
        while let line = try reader.nextLine() {
            number += 1
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 4, let seconds = Double(fields[1]), let score = Double(fields[2]), let threshold = Double(fields[3]),
                  score.isFinite, threshold.isFinite else { throw ValidationError("\(path):\(number): bad line") }
            let caseID = String(fields[0])
            if let known = scores.byCase[caseID]?.threshold, known != threshold {
                throw ValidationError("\(path):\(number): case \(caseID) has two thresholds (one model per case)")
            }
            scores.byCase[caseID, default: ([:], threshold)].times[Timestamp.micros(seconds: seconds)] = score
        }
        return scores
    }

    func threshold(of caseID: String) throws -> Double {
        guard let threshold = byCase[caseID]?.threshold else { throw ValidationError("no scores for case \(caseID)") }
        return threshold
    }

    func scores(of series: SampleBatch, rows: Range<Int>) throws -> [Double] {
        let times = byCase[series.caseID]?.times ?? [:]
        return try rows.map { row in
            guard let score = times[series.timestamps[row]] else {
                throw ValidationError("no score for case \(series.caseID) at t = \(Timestamp.secondsText(series.timestamps[row])) s")
            }
            return score
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
