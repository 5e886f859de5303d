import PhysioCore

/// Scores, labels and the decision threshold of each sample of one task,
/// pooled over cases (a case's threshold is its model's).
public struct ScoredSamples: Sendable {
    public private(set) var scores: [Double] = []
    public private(set) var labels: [Bool] = []
    public private(set) var thresholds: [Double] = []

    public init() {}

    public mutating func append(score: Double, label: Bool, threshold: Double) {
        scores.append(score)
        labels.append(label)
        thresholds.append(threshold)
    }

    public mutating func append(contentsOf other: ScoredSamples) {
        scores += other.scores
        labels += other.labels
        thresholds += other.thresholds
    }

    public var count: Int { scores.count }
    public var positives: Int { labels.lazy.filter { $0 }.count }
}

/// Threshold-free and at-threshold quality of one task's scores.
public struct TaskMetrics: Sendable {
    public let samples: Int
    public let positives: Int
    public let rocAUC: Double?
    public let averagePrecision: Double?
    /// At each sample's model threshold (anomalous when score > threshold).
    public let counts: BinaryCounts

    public init(_ samples: ScoredSamples) {
        self.samples = samples.count
        positives = samples.positives
        rocAUC = RankingMetrics.rocAUC(scores: samples.scores, labels: samples.labels)
        averagePrecision = RankingMetrics.averagePrecision(scores: samples.scores, labels: samples.labels)
        var counts = BinaryCounts()
        for i in 0..<samples.count { counts.add(predicted: samples.scores[i] > samples.thresholds[i], actual: samples.labels[i]) }
        self.counts = counts
    }

    public var precision: Double? { counts.precision }
    public var recall: Double? { counts.recall }
    public var f1: Double? { counts.f1 }
    /// Share of the samples flagged by the model.
    public var flaggedFraction: Double? { samples == 0 ? nil : Double(counts.predictedPositives) / Double(samples) }
}
