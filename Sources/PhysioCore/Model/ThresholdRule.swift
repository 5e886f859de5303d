/// How the decision threshold is set on the training scores. A sample is
/// anomalous when its score is strictly above the threshold.
public enum ThresholdRule: Codable, Sendable, Equatable {
    /// Flags this fraction of the training samples: the threshold is the
    /// (1 − c) quantile of the training scores (linear interpolation),
    /// exactly scikit-learn's `offset_` for `contamination=c`, sign flipped.
    case contamination(Double)
    /// A fixed anomaly score; 0.5 is scikit-learn's `contamination="auto"`.
    case fixedScore(Double)

    public func threshold(trainingScores scores: [Double]) -> Double {
        switch self {
        case .fixedScore(let score): return score
        case .contamination(let fraction):
            precondition(fraction > 0 && fraction < 1, "contamination must be in (0, 1)")
            return Self.quantile(scores.sorted(), 1 - fraction)
        }
    }

    public var description: String {
        switch self {
        case .contamination(let fraction): "contamination \(fraction): the \(1 - fraction) quantile of the training scores"
        case .fixedScore(let score): "fixed score \(score)"
        }
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
        }
    }
}
