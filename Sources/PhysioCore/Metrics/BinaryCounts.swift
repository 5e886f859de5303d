/// Confusion counts of decisions against labels: of a rule "anomalous when
/// score > threshold" (strictly, as scikit-learn's `predict`), or of any alarms.
public struct BinaryCounts: Sendable, Equatable, Codable {
    public var truePositives = 0
    public var falsePositives = 0
    public var trueNegatives = 0
    public var falseNegatives = 0

    public init() {}

    public init(scores: [Double], labels: [Bool], threshold: Double) {
        precondition(scores.count == labels.count, "scores and labels differ in length")
        for (score, label) in zip(scores, labels) { add(predicted: score > threshold, actual: label) }
    }

    /// Counts of decisions made elsewhere (e.g. alarms of a policy).
    public init(predictions: [Bool], labels: [Bool]) {
        precondition(predictions.count == labels.count, "predictions and labels differ in length")
        for (predicted, label) in zip(predictions, labels) { add(predicted: predicted, actual: label) }
    }

    public mutating func add(predicted: Bool, actual: Bool) {
        switch (predicted, actual) {
        case (true, true): truePositives += 1
        case (true, false): falsePositives += 1
        case (false, false): trueNegatives += 1
        case (false, true): falseNegatives += 1
        }
    }

    public var total: Int { truePositives + falsePositives + trueNegatives + falseNegatives }
    public var predictedPositives: Int { truePositives + falsePositives }
    public var actualPositives: Int { truePositives + falseNegatives }

    /// Nil when nothing was predicted positive (scikit-learn warns and reports 0).
    public var precision: Double? { predictedPositives == 0 ? nil : Double(truePositives) / Double(predictedPositives) }
    /// Nil when there are no positives.
    public var recall: Double? { actualPositives == 0 ? nil : Double(truePositives) / Double(actualPositives) }
    public var f1: Double? {
        guard let precision, let recall else { return nil }
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    }
}
