/// Hyper-parameters of an Isolation Forest, named and defaulted as
/// scikit-learn's `IsolationForest` (n_estimators, max_samples, max_features,
/// random_state).
public struct IsolationForestParameters: Codable, Sendable, Equatable {
    /// Number of trees (scikit-learn `n_estimators`).
    public var trees: Int
    /// Samples drawn without replacement per tree; min(maxSamples, rows) are
    /// used, as scikit-learn's "auto" = min(256, n_samples).
    public var maxSamples: Int
    /// Fraction of the features each tree may split on (scikit-learn `max_features` as a float).
    public var maxFeatures: Double
    /// Seeds the generator: the same seed and data give the same forest.
    public var seed: UInt64

    public init(trees: Int = 100, maxSamples: Int = 256, maxFeatures: Double = 1.0, seed: UInt64 = 0) {
        precondition(trees > 0, "trees must be positive")
        precondition(maxSamples > 0, "maxSamples must be positive")
        precondition(maxFeatures > 0 && maxFeatures <= 1, "maxFeatures must be in (0, 1]")
        self.trees = trees
        self.maxSamples = maxSamples
        self.maxFeatures = maxFeatures
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case trees = "n_estimators", maxSamples = "max_samples", maxFeatures = "max_features", seed
    }
}
