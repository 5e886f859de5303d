import ArgumentParser
import PhysioCore
import PhysioData
import PhysioPlatform
import PhysioLab

/// The features `physio evaluate` trained and scored on, per fold, so
/// scripts/compare_sklearn.py can fit scikit-learn on exactly the same
/// matrices and score exactly the same samples:
/// `train_K.csv` (case_id, t_seconds, features…, fit: 1 = the forest was grown on the row, label: 1 = a rule true),
/// `eval_K.csv` (case_id, t_seconds, features…, score, threshold, seed_label, ew_label: empty = not an early-warning sample),
/// `export.json` (per fold: files, features, forest parameters, threshold rule).
enum EvaluationExport {
    static func write(_ scored: ScoredCases, settings: EvaluationSettings, to directory: String) throws {
        try AtomicFile.makeDirectory(directory)
        var json = JSONWriter()
        json.beginObject()
        json.key("folds"); json.beginArray()
        for (index, fold) in scored.folds.enumerated() {
            guard let model = fold.model, let training = fold.training else { continue }
            let parameters = model.metadata.parameters
            let trainingSet = TrainingSet(cases: training, configuration: model.configuration, rules: parameters.rules)
            let prepared = trainingSet.prepared(fitRows: parameters.fitRows)
            guard prepared.features == model.features else { throw ValidationError("export: training features differ from the model's") }
            let names = model.featureNames
            let trainFile = "train_\(index).csv", evalFile = "eval_\(index).csv"
            try writeTraining(trainingSet, prepared, names: names, to: directory + "/" + trainFile)
            try writeEvaluated(fold, model: model, names: names, settings: settings, to: directory + "/" + evalFile)
            json.beginObject()
            json.field("fold", index)
            json.field("train", trainFile)
            json.field("eval", evalFile)
            json.key("features"); json.beginArray(); names.forEach { json.value($0) }; json.endArray()
            json.field("n_estimators", parameters.forest.trees)
            json.field("max_samples", parameters.forest.maxSamples)
            json.field("max_features", parameters.forest.maxFeatures)
            json.field("seed", Int(truncatingIfNeeded: parameters.forest.seed))
            json.field("fit_rows", parameters.fitRows.rawValue)
            switch parameters.threshold {
            case .contamination(let value): json.field("contamination", value)
            case .fixedScore(let value): json.field("threshold_score", value)
            case .targetPrecision(let value): json.field("target_precision", value)
            }
            json.field("swift_threshold", model.threshold)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        try AtomicFile.write(json.bytes + [0x0A], to: directory + "/export.json")
    }

    /// The training rows, features after imputation: case_id, t_seconds,
    /// features…, [fit,] label. `physio features` writes the same without `fit`.
    static func writeTraining(_ set: TrainingSet, _ prepared: TrainingSet.Prepared, names: [String], to path: String,
                              fitColumn: Bool = true) throws {
        let writer = try TextWriter(path: path)
        defer { writer.close() }
        writer.write((["case_id", "t_seconds"] + names + (fitColumn ? ["fit", "label"] : ["label"])).joined(separator: ",") + "\n")
        var text = "", row = 0
        for (caseID, count) in zip(set.caseIDs, set.caseRowCounts) {
            for _ in 0..<count {
                text += caseID + "," + Timestamp.secondsText(set.timestamps[row])
                for column in 0..<prepared.matrix.columns { text += "," + String(prepared.matrix[row, column]) }
                if fitColumn { text += prepared.fitMask[row] ? ",1" : ",0" }
                text += set.labels[row] ? ",1\n" : ",0\n"
                row += 1
                if text.utf8.count > 1 << 16 { writer.write(text); text = "" }
            }
        }
        writer.write(text)
    }

    static func writeEvaluated(_ fold: ScoredCases.Fold, model: AnomalyModel, names: [String], settings: EvaluationSettings,
                               to path: String) throws {
        let writer = try TextWriter(path: path)
        defer { writer.close() }
        writer.write((["case_id", "t_seconds"] + names + ["score", "threshold", "seed_label", "ew_label"]).joined(separator: ",") + "\n")
        var text = ""
        for (series, scores) in zip(fold.series, fold.cases) {
            precondition(series.caseID == scores.caseID)
            let truncated = series.prefix(rows: scores.timestamps.count)
            let matrix = model.featureMatrix(truncated, rows: scores.evaluated)
            let warning = Evaluation.earlyWarningLabels(scores, settings: settings)
            for (offset, row) in scores.evaluated.enumerated() {
                text += scores.caseID + "," + Timestamp.secondsText(scores.timestamps[row])
                for column in 0..<matrix.columns { text += "," + String(matrix[offset, column]) }
                text += "," + String(scores.scores[offset]) + "," + String(model.threshold)
                text += scores.ruleTrue[row] ? ",1," : ",0,"
                text += warning[offset].map { $0 ? "1" : "0" } ?? ""
                text += "\n"
                if text.utf8.count > 1 << 16 { writer.write(text); text = "" }
            }
        }
        writer.write(text)
    }
}

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
    static let header = "case_id,feed"

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
