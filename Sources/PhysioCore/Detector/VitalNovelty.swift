/// How unusual one vital's course is for this patient, by an Isolation
/// Forest grown on that vital alone (Liu, Ting & Zhou, ICDM 2008): its
/// deviation from the patient's baseline, its 1- and 5-minute slopes and
/// its 5-minute spread. One forest per vital, so a vital that is absent
/// neither dilutes nor lends weight to another's score, and a change in a
/// vital no rule watches (EtCO2 falling to 10 mmHg when a circuit
/// disconnects) still registers.
///
/// The forest's score is calibrated on the rows it was trained on: novelty
/// is 0 up to the training 99.9th percentile and rises linearly to 1 at the
/// training maximum, so only what training almost never saw counts.
public struct VitalNovelty: Codable, Sendable, Equatable {
    public let vital: Vital
    public let forest: IsolationForest
    /// Imputed for a missing feature: deviation and slopes 0 (at baseline,
    /// flat), spread the training median.
    public let imputed: [Float]
    /// Training scores at the tail quantile and at the maximum.
    public let tailScore: Double
    public let maximumScore: Double
    /// The forest's `shortestRemainingPaths()`, for scoring that stops once a row cannot be novel.
    private let remainingPaths: [Double]

    public static let featureNames = ["deviation", "slope_1m", "slope_5m", "spread_5m"]

    public init(vital: Vital, forest: IsolationForest, imputed: [Float], tailScore: Double, maximumScore: Double) {
        precondition(imputed.count == Self.featureNames.count && forest.featureCount == imputed.count)
        self.vital = vital
        self.forest = forest
        self.imputed = imputed
        self.tailScore = tailScore
        self.maximumScore = maximumScore
        remainingPaths = forest.shortestRemainingPaths()
    }

    /// Forest scores of row-major feature rows, exact where above the tail
    /// score; rows that cannot pass it (almost all) stop early with a score
    /// at most the tail's, so their novelty is 0 either way.
    public func scores(_ rows: [Float]) -> [Double] {
        let count = rows.count / Self.featureNames.count
        var scores = [Double](repeating: 0, count: count)
        rows.withUnsafeBufferPointer { input in
            scores.withUnsafeMutableBufferPointer { out in
                guard let first = input.baseAddress, let into = out.baseAddress else { return }
                forest.scoreSamples(rows: first, count: count, into: into, ceiling: tailScore, remaining: remainingPaths)
            }
        }
        return scores
    }

    /// The feature row (missing features imputed).
    public func features(deviation: Float, slope1: Float, slope5: Float, spread: Float) -> [Float] {
        zip([deviation, slope1, slope5, spread], imputed).map { $0.isNaN ? $1 : $0 }
    }

    /// Novelty in [0, 1] of a forest score.
    public func novelty(score: Double) -> Double {
        guard score > tailScore else { return 0 }
        guard maximumScore > tailScore else { return 1 }
        return min((score - tailScore) / (maximumScore - tailScore), 1)
    }

    enum CodingKeys: String, CodingKey {
        case vital, forest, imputed, tailScore = "tail_score", maximumScore = "maximum_score"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .vital)
        guard let vital = Vital(name: name) else {
            throw DecodingError.dataCorruptedError(forKey: .vital, in: container, debugDescription: "unknown vital \(name)")
        }
        let forest = try container.decode(IsolationForest.self, forKey: .forest)
        let imputed = try container.decode([Float].self, forKey: .imputed)
        guard imputed.count == Self.featureNames.count, forest.featureCount == imputed.count else {
            throw DecodingError.dataCorruptedError(forKey: .imputed, in: container, debugDescription: "novelty forest of \(name) has the wrong width")
        }
        self.init(vital: vital, forest: forest, imputed: imputed,
                  tailScore: try container.decode(Double.self, forKey: .tailScore),
                  maximumScore: try container.decode(Double.self, forKey: .maximumScore))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vital.name, forKey: .vital)
        try container.encode(forest, forKey: .forest)
        try container.encode(imputed, forKey: .imputed)
        try container.encode(tailScore, forKey: .tailScore)
        try container.encode(maximumScore, forKey: .maximumScore)
    }
}
