/// Threshold-free quality of anomaly scores against binary labels (true =
/// positive, e.g. a clinical rule fired), computed as scikit-learn does.
public enum RankingMetrics {
    /// Area under the ROC curve, as `roc_auc_score`: trapezoids between the
    /// points of distinct thresholds, so a tie between a positive and a
    /// negative counts one half. Nil when only one class is present.
    public static func rocAUC(scores: [Double], labels: [Bool]) -> Double? {
        let sweep = ThresholdSweep(scores: scores, labels: labels)
        guard sweep.positives > 0, sweep.negatives > 0 else { return nil }
        var area = 0.0
        var previousTP = 0, previousFP = 0
        for step in sweep.steps {
            area += Double(step.falsePositives - previousFP) * Double(step.truePositives + previousTP) / 2
            previousTP = step.truePositives
            previousFP = step.falsePositives
        }
        return area / (Double(sweep.positives) * Double(sweep.negatives))
    }

    /// Average precision, as `average_precision_score`: Σ (Rₙ − Rₙ₋₁) Pₙ over
    /// distinct thresholds from the highest (no interpolation). Nil without positives.
    public static func averagePrecision(scores: [Double], labels: [Bool]) -> Double? {
        let sweep = ThresholdSweep(scores: scores, labels: labels)
        guard sweep.positives > 0 else { return nil }
        var sum = 0.0, previousRecall = 0.0
        for step in sweep.steps {
            let recall = Double(step.truePositives) / Double(sweep.positives)
            let precision = Double(step.truePositives) / Double(step.truePositives + step.falsePositives)
            sum += (recall - previousRecall) * precision
            previousRecall = recall
        }
        return sum
    }
}
