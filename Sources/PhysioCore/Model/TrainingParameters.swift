/// Which training samples the forest is grown on.
public enum FitRows: String, Codable, Sendable, CaseIterable {
    /// Every sample: plain unsupervised outlier detection, as scikit-learn.
    case all
    /// Samples where no clinical rule fires: novelty detection, the forest
    /// learns normal physiology. Rule-positive samples are common in real
    /// data (MAP < 65 alone is true for 16–22 % of the samples of the shared
    /// data sets), too common to look like outliers to a forest grown on them.
    case ruleNegative = "rule_negative"
}

/// Everything `AnomalyModel.train` needs besides the data.
public struct TrainingParameters: Codable, Sendable, Equatable {
    public var forest: IsolationForestParameters
    public var fitRows: FitRows
    public var features: FeatureConfiguration
    public var threshold: ThresholdRule
    /// Labels for the in-sample metrics recorded with the model.
    public var rules: ClinicalRules
    /// Free text: where the cases came from.
    public var dataDescription: String
    /// Microseconds since the epoch; nil = now.
    public var trainedAt: Int64?

    /// Default threshold: flag 2 % of the samples the forest was grown on. The rule set must
    /// stay the reference and a second alarm source has to be rarer than
    /// the first to reduce alarm fatigue; at 1 Hz 2 % is at most 72 flagged
    /// seconds an hour, which episodes (30-s merging) turn into a handful of
    /// events. scikit-learn's "auto" (score 0.5) is `.fixedScore(0.5)`.
    public static let defaultThreshold = ThresholdRule.contamination(0.02)

    public init(forest: IsolationForestParameters = .init(), fitRows: FitRows = .ruleNegative, features: FeatureConfiguration = .init(),
                threshold: ThresholdRule = defaultThreshold, rules: ClinicalRules = .standard,
                dataDescription: String = "", trainedAt: Int64? = nil) {
        self.forest = forest
        self.fitRows = fitRows
        self.features = features
        self.threshold = threshold
        self.rules = rules
        self.dataDescription = dataDescription
        self.trainedAt = trainedAt
    }

    enum CodingKeys: String, CodingKey {
        case forest, fitRows = "fit_rows", features, threshold, rules, dataDescription = "data_description", trainedAt = "trained_at_micros"
    }
}
