import ArgumentParser
import PhysioCore
import PhysioData
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

struct ForestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forest",
        abstract: "Fit and score the Swift Isolation Forest on a features CSV; report times as JSON.",
        discussion: """
        Reads the CSV `physio features` writes (case_id, t_seconds, features…, label), fits (on all \
        rows or the label-0 ones), scores every row on one thread, writes one score per row of the \
        first seed (higher = more abnormal, = −scikit-learn score_samples) and prints fit and score \
        times (fastest over seeds and --repeats) and, when the labels have both classes, ROC AUC and \
        average precision (means over seeds).
        """)

    @Option(help: "Features CSV from `physio features`.")
    var features: String
    @Option(help: "Scores CSV to write (one `score` per row, in input order).")
    var out: String?
    @OptionGroup var forest: ForestOptions
    @Option(help: "Fit on all rows, or on rule_negative rows (label 0); every row is scored.")
    var fitRows = FitRows.all
    @Option(help: "Fit and score with seeds seed, seed+1, …: ROC AUC is reported per seed and as a mean.")
    var seedCount = 1
    @Option(help: "Time fit and scoring this many times per seed and report the fastest.")
    var repeats = 3

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard seedCount >= 1 else { throw ValidationError("--seed-count must be at least 1") }
    }

    func run() throws {
        let (matrix, labels) = try readFeatures(features)
        let fitMatrix = fitRows == .all ? matrix : matrix.selecting(rows: labels.map { !$0 })
        guard fitMatrix.rows > 0 else { throw ValidationError("no rows to fit on") }
        let base = forest.parameters
        var fitSeconds = Double.infinity, scoreSeconds = Double.infinity
        var fitCPUSeconds = Double.infinity, scoreCPUSeconds = Double.infinity
        var fitted: IsolationForest?
        var scores: [Double] = [], firstScores: [Double] = []
        var aucs: [Double] = [], precisions: [Double] = []
        for offset in 0..<seedCount {
            var parameters = base
            parameters.seed = base.seed &+ UInt64(offset)
            fitted = nil
            for _ in 0..<repeats {
                var started = Clock.monotonicNanos(), startedCPU = processCPUSeconds()
                let model = IsolationForest.fit(fitMatrix, parameters: parameters)
                fitSeconds = min(fitSeconds, Double(Clock.monotonicNanos() - started) / 1e9)
                fitCPUSeconds = min(fitCPUSeconds, processCPUSeconds() - startedCPU)
                started = Clock.monotonicNanos()
                startedCPU = processCPUSeconds()
                scores = model.scoreSamples(matrix)
                scoreSeconds = min(scoreSeconds, Double(Clock.monotonicNanos() - started) / 1e9)
                scoreCPUSeconds = min(scoreCPUSeconds, processCPUSeconds() - startedCPU)
                if let fitted { precondition(fitted == model, "fit is not deterministic") }
                fitted = model
            }
            if offset == 0 { firstScores = scores }
            if let auc = RankingMetrics.rocAUC(scores: scores, labels: labels) { aucs.append(auc) }
            if let ap = RankingMetrics.averagePrecision(scores: scores, labels: labels) { precisions.append(ap) }
        }
        scores = firstScores
        if let out {
            let writer = try TextWriter(path: out)
            writer.write("score\n")
            var text = ""
            for score in scores {
                text += String(score) + "\n"
                if text.utf8.count > 1 << 16 { writer.write(text); text = "" }
            }
            writer.write(text)
            writer.close()
        }
        var json = JSONWriter()
        json.beginObject()
        json.field("implementation", "physio (Swift)")
        json.field("rows", matrix.rows)
        json.field("features", matrix.columns)
        json.field("fit_rows", fitRows.rawValue)
        json.field("fit_row_count", fitMatrix.rows)
        json.field("trees", base.trees)
        json.field("max_samples", base.maxSamples)
        json.field("seed", Int(truncatingIfNeeded: base.seed))
        json.field("seed_count", seedCount)
        json.field("nodes_last_forest", fitted!.nodeCount)
        json.field("fit_seconds", fitSeconds)
        json.field("score_seconds", scoreSeconds)
        json.field("score_samples_per_second", Double(matrix.rows) / scoreSeconds)
        // CPU time: what the work costs on one core even when the machine is shared.
        json.field("fit_cpu_seconds", fitCPUSeconds)
        json.field("score_cpu_seconds", scoreCPUSeconds)
        json.field("score_samples_per_cpu_second", Double(matrix.rows) / scoreCPUSeconds)
        json.field("positives", labels.filter { $0 }.count)
        json.field("roc_auc", aucs.isEmpty ? nil : aucs.reduce(0, +) / Double(aucs.count))
        json.field("average_precision", precisions.isEmpty ? nil : precisions.reduce(0, +) / Double(precisions.count))
        json.key("roc_auc_per_seed"); json.beginArray(); aucs.forEach { json.value($0) }; json.endArray()
        json.endObject()
        print(json.string)
    }

    /// CPU time of the whole process (one thread does all the work here).
    private func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The feature columns (all but case_id, t_seconds, label) and the labels.
    private func readFeatures(_ path: String) throws -> (FeatureMatrix, [Bool]) {
        let reader = try LineReader(path: path)
        guard let header = try reader.nextLine()?.split(separator: ","),
              header.count >= 4, header[0] == "case_id", header[1] == "t_seconds", header.last == "label"
        else { throw ValidationError("\(path): expected the header case_id,t_seconds,<features>,label") }
        let columns = header.count - 3
        var matrix = FeatureMatrix(columns: columns)
        var labels: [Bool] = []
        var row = [Float](repeating: 0, count: columns)
        var lineNumber = 1
        while let line = try reader.nextLine() {
            lineNumber += 1
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count else { throw ValidationError("\(path):\(lineNumber): expected \(header.count) fields") }
            for c in 0..<columns {
                guard let value = Float(fields[2 + c]), value.isFinite else {
                    throw ValidationError("\(path):\(lineNumber): '\(fields[2 + c])' is not a finite number")
                }
                row[c] = value
            }
            matrix.append(row: row)
            labels.append(fields[fields.count - 1] == "1")
        }
        guard matrix.rows > 0 else { throw ValidationError("\(path): no rows") }
        return (matrix, labels)
    }
}

/// Which rows of a features CSV the forest is grown on.
enum FitRows: String, CaseIterable, ExpressibleByArgument {
    /// Every row: plain unsupervised outlier detection, as scikit-learn.
    case all
    /// Rows labelled 0 (no clinical rule true), as `physio train` grows the novelty forests.
    case ruleNegative = "rule_negative"
}
