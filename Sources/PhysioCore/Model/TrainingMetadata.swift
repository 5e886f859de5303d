/// What a model was trained on and how well it did there, stored with it.
public struct TrainingMetadata: Codable, Sendable, Equatable {
    /// RFC 3339.
    public var trainedAt: String
    public var dataDescription: String
    public var caseCount: Int
    public var sampleCount: Int
    /// Rule-negative rows each vital's novelty forest was grown on, by vital name.
    public var noveltyRows: [String: Int]
    public var parameters: TrainingParameters
    public var fitSeconds: Double
    public var metrics: TrainingMetrics

    enum CodingKeys: String, CodingKey {
        case trainedAt = "trained_at", dataDescription = "data_description", caseCount = "case_count"
        case sampleCount = "sample_count", noveltyRows = "novelty_rows", parameters, fitSeconds = "fit_seconds", metrics
    }
}

/// In-sample agreement with the clinical rules (label = any rule true at the
/// sample). In-sample and against the rules the score is built on: a sanity
/// check, not an evaluation (`physio evaluate` is).
public struct TrainingMetrics: Codable, Sendable, Equatable {
    public var label: String
    public var positives: Int
    /// Share of all training samples that alarm.
    public var flaggedFraction: Double
    public var rocAUC: Double?
    public var averagePrecision: Double?
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?

    public init(scores: [Double], labels: [Bool], alarms: [Bool]) {
        precondition(scores.count == labels.count && alarms.count == labels.count)
        let counts = BinaryCounts(predictions: alarms, labels: labels)
        label = "any clinical rule true at the sample (held, artefact-cleaned values)"
        positives = counts.actualPositives
        flaggedFraction = scores.isEmpty ? 0 : Double(counts.predictedPositives) / Double(scores.count)
        rocAUC = RankingMetrics.rocAUC(scores: scores, labels: labels)
        averagePrecision = RankingMetrics.averagePrecision(scores: scores, labels: labels)
        precision = counts.precision
        recall = counts.recall
        f1 = counts.f1
    }

    enum CodingKeys: String, CodingKey {
        case label, positives, flaggedFraction = "flagged_fraction", rocAUC = "roc_auc"
        case averagePrecision = "average_precision", precision, recall, f1
    }
}
