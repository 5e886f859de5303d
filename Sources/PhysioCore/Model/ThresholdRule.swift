/// How the decision threshold is set on the training scores. A sample is
/// anomalous when its score is strictly above the threshold.
public enum ThresholdRule: Codable, Sendable, Equatable {
    /// Flags this fraction of the training samples: the threshold is the
    /// (1 − c) quantile of the training scores (linear interpolation),
    /// exactly scikit-learn's `offset_` for `contamination=c`, sign flipped.
    case contamination(Double)
    /// A fixed anomaly score; 0.5 is scikit-learn's `contamination="auto"`.
    case fixedScore(Double)
    /// The lowest threshold at which at least this share of the training
    /// samples flagged have a clinical rule true (all training samples,
    /// labelled by the model's rules): as many alarms as that precision allows.
    case targetPrecision(Double)

    /// `fitScores` are the scores of the rows the forest was grown on;
    /// `scores` and `labels` cover every training row.
    public func threshold(fitScores: [Double], scores: [Double], labels: [Bool]) -> Double {
        switch self {
        case .fixedScore(let score): return score
        case .contamination(let fraction):
            precondition(fraction > 0 && fraction < 1, "contamination must be in (0, 1)")
            return Self.quantile(fitScores.sorted(), 1 - fraction)
        case .targetPrecision(let precision):
            return Self.precisionThreshold(scores: scores, labels: labels, precision: precision)
        }
    }

    public var description: String {
        switch self {
        case .contamination(let fraction): "contamination \(fraction): the \(1 - fraction) quantile of the training scores"
        case .fixedScore(let score): "fixed score \(score)"
        case .targetPrecision(let precision):
            "target precision \(precision): the lowest threshold flagging training samples with at least that share rule-positive"
        }
    }

    /// Walks the scores from the highest down and keeps the deepest cut
    /// (between two distinct scores) whose flagged samples reach `precision`;
    /// with none, flags nothing (the highest score).
    static func precisionThreshold(scores: [Double], labels: [Bool], precision: Double) -> Double {
        precondition(scores.count == labels.count && !scores.isEmpty)
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var threshold = scores[order[0]]
        var positives = 0
        for (rank, index) in order.enumerated() {
            if labels[index] { positives += 1 }
            let flagged = rank + 1
            let next = rank + 1 < order.count ? scores[order[rank + 1]] : -Double.infinity
            guard next < scores[index] else { continue }  // no cut between equal scores
            if Double(positives) >= precision * Double(flagged) { threshold = max(next, 0) }
        }
        return threshold
    }

    /// numpy's default (linear) percentile of ascending `sorted`, q in [0, 1].
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty)
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    enum CodingKeys: String, CodingKey { case kind, value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let value = try container.decode(Double.self, forKey: .value)
        switch try container.decode(String.self, forKey: .kind) {
        case "contamination": self = .contamination(value)
        case "fixed_score": self = .fixedScore(value)
        case "target_precision": self = .targetPrecision(value)
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown threshold rule \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .contamination(let value):
            try container.encode("contamination", forKey: .kind)
            try container.encode(value, forKey: .value)
        case .fixedScore(let value):
            try container.encode("fixed_score", forKey: .kind)
            try container.encode(value, forKey: .value)
        case .targetPrecision(let value):
            try container.encode("target_precision", forKey: .kind)
            try container.encode(value, forKey: .value)
        }
    }
}
