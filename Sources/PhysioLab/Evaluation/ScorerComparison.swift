import PhysioCore

/// A metric's value on the cases as they are, and its bootstrap interval by case.
public struct Estimate: Sendable {
    public let value: Double?
    /// nil with fewer than two cases, or when under half of the resamples have both classes.
    public let interval: ClosedRange<Double>?
}

/// One scorer on one task.
public struct ScorerResult: Sendable {
    public let scorer: Scorer
    public let rocAUC: Estimate
    public let averagePrecision: Estimate
    /// The detector's AUROC minus this scorer's, the interval over the same
    /// (paired) resamples; nil for the detector itself.
    public let detectorAdvantage: Estimate?
}

/// Every scorer on one task, over the cases with samples in it.
public struct TaskComparison: Sendable {
    public let task: RankingTask
    public let cases: Int
    public let samples: Int
    public let positives: Int
    /// Resamples with both classes; the others have no AUROC and are left out.
    public let validResamples: Int
    /// The detector first, then the baselines.
    public let results: [ScorerResult]
    /// Each scorer's samples pooled over the cases, in the order of `results` (for curves).
    public let pooled: [ScoredSamples]

    /// The baseline with the highest AUROC.
    public var bestBaseline: ScorerResult? {
        results.dropFirst().filter { $0.rocAUC.value != nil }.max { $0.rocAUC.value! < $1.rocAUC.value! }
    }
}

/// The detector and the baselines ranked on the same samples of the same
/// cases: AUROC and AUPRC of each, with 95 % bootstrap intervals by case
/// (`CaseBootstrap`); every scorer sees the same resamples.
public struct ScorerComparison: Sendable {
    public let bootstrap: CaseBootstrap
    public let scorers: [Scorer]
    public let tasks: [TaskComparison]

    /// `perCase`: each case's samples per task; `group` names the cases (it seeds their resamples).
    init(perCase: [[RankingTask: CaseTaskSamples]], scorers: [Scorer], bootstrap: CaseBootstrap, group: String) {
        self.bootstrap = bootstrap
        self.scorers = scorers
        tasks = RankingTask.allCases.compactMap { task in
            let cases = perCase.compactMap { $0[task] }.filter { !$0.isEmpty }
            guard !cases.isEmpty else { return nil }
            return Self.compare(task, cases: cases, scorers: scorers, bootstrap: bootstrap,
                                stream: CaseBootstrap.stream(named: group + "/" + task.rawValue))
        }
    }

    public func task(_ task: RankingTask) -> TaskComparison? { tasks.first { $0.task == task } }

    private static func compare(_ task: RankingTask, cases: [CaseTaskSamples], scorers: [Scorer], bootstrap: CaseBootstrap,
                                stream: UInt64) -> TaskComparison {
        let labels = cases.flatMap(\.labels)
        let caseOfSample = cases.enumerated().flatMap { index, samples in repeatElement(Int32(index), count: samples.labels.count) }
        let positives = cases.map { Int32($0.labels.lazy.filter { $0 }.count) }
        let negatives = zip(cases, positives).map { Int32($0.labels.count) - $1 }
        // Only resamples with both classes have an AUROC; every scorer uses the same ones.
        let draws = cases.count < 2 ? [] : bootstrap.draws(cases: cases.count, stream: stream).filter { weights in
            zip(weights, positives).contains { $0 > 0 && $1 > 0 } && zip(weights, negatives).contains { $0 > 0 && $1 > 0 }
        }
        let hasInterval = cases.count >= 2 && 2 * draws.count >= bootstrap.resamples
        var resampledAUC: [[Double]] = []
        var results: [ScorerResult] = []
        var pooled: [ScoredSamples] = []
        for (index, scorer) in scorers.enumerated() {
            let scores = cases.flatMap { $0.scores[index] }
            pooled.append(ScoredSamples(scores: scores, labels: labels))
            let ranking = ResampledRanking(scores: scores, labels: labels, cases: caseOfSample, caseCount: cases.count)
            let resampled = draws.map { ranking.metrics(weights: $0) }
            let aucs = resampled.map { $0.rocAUC! }
            resampledAUC.append(aucs)
            let auc = RankingMetrics.rocAUC(scores: scores, labels: labels)
            var advantage: Estimate?
            if index > 0 {
                let value = auc.flatMap { mine in results[0].rocAUC.value.map { $0 - mine } }
                let differences = zip(resampledAUC[0], aucs).map { $0 - $1 }
                advantage = Estimate(value: value, interval: hasInterval ? CaseBootstrap.percentileInterval(differences) : nil)
            }
            results.append(ScorerResult(
                scorer: scorer,
                rocAUC: Estimate(value: auc, interval: hasInterval ? CaseBootstrap.percentileInterval(aucs) : nil),
                averagePrecision: Estimate(value: RankingMetrics.averagePrecision(scores: scores, labels: labels),
                                           interval: hasInterval ? CaseBootstrap.percentileInterval(resampled.map { $0.averagePrecision! }) : nil),
                detectorAdvantage: advantage))
        }
        return TaskComparison(task: task, cases: cases.count, samples: labels.count, positives: Int(positives.reduce(0, +)),
                              validResamples: draws.count, results: results, pooled: pooled)
    }
}
