import PhysioCore

/// Scores, labels and the detector's alarm flag of each sample of one task,
/// pooled over cases.
public struct ScoredSamples: Sendable {
    public private(set) var scores: [Double] = []
    public private(set) var labels: [Bool] = []
    public private(set) var alarms: [Bool] = []

    public init() {}

    /// Samples of a scorer that does not alarm (a baseline): every alarm flag false.
    public init(scores: [Double], labels: [Bool]) {
        precondition(scores.count == labels.count, "one label per score")
        self.scores = scores
        self.labels = labels
        alarms = [Bool](repeating: false, count: scores.count)
    }

    public mutating func append(score: Double, label: Bool, alarm: Bool) {
        scores.append(score)
        labels.append(label)
        alarms.append(alarm)
    }

    public mutating func append(contentsOf other: ScoredSamples) {
        scores += other.scores
        labels += other.labels
        alarms += other.alarms
    }

    public var count: Int { scores.count }
    public var positives: Int { labels.lazy.filter { $0 }.count }
}

/// Threshold-free quality of one task's scores, and the quality of the detector's alarms.
public struct TaskMetrics: Sendable {
    public let samples: Int
    public let positives: Int
    public let rocAUC: Double?
    public let averagePrecision: Double?
    /// The detector's alarms against the labels.
    public let counts: BinaryCounts

    public init(_ samples: ScoredSamples) {
        self.samples = samples.count
        positives = samples.positives
        rocAUC = RankingMetrics.rocAUC(scores: samples.scores, labels: samples.labels)
        averagePrecision = RankingMetrics.averagePrecision(scores: samples.scores, labels: samples.labels)
        var counts = BinaryCounts()
        for i in 0..<samples.count { counts.add(predicted: samples.alarms[i], actual: samples.labels[i]) }
        self.counts = counts
    }

    public var precision: Double? { counts.precision }
    public var recall: Double? { counts.recall }
    public var f1: Double? { counts.f1 }
    /// Share of the samples flagged by the model.
    public var flaggedFraction: Double? { samples == 0 ? nil : Double(counts.predictedPositives) / Double(samples) }
}
