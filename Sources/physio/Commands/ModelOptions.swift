import ArgumentParser
import PhysioCore

/// Isolation Forest parameters, named as scikit-learn's.
struct ForestOptions: ParsableArguments {
    @Option(help: "Random seed: the same seed and data give the same forest (env PHYSIO_TRAIN_SEED).")
    var seed = UInt64(Environment.int("PHYSIO_TRAIN_SEED", default: 0))
    @Option(help: "Number of trees, scikit-learn n_estimators (env PHYSIO_TRAIN_TREES).")
    var trees = Environment.int("PHYSIO_TRAIN_TREES", default: 100)
    @Option(help: "Samples per tree; min(this, rows) are used (env PHYSIO_TRAIN_MAX_SAMPLES).")
    var maxSamples = Environment.int("PHYSIO_TRAIN_MAX_SAMPLES", default: 256)
    @Option(help: "Fraction of features each tree may split on (env PHYSIO_TRAIN_MAX_FEATURES).")
    var maxFeatures = Environment.double("PHYSIO_TRAIN_MAX_FEATURES", default: 1.0)

    func validate() throws {
        guard trees >= 1 else { throw ValidationError("--trees must be at least 1") }
        guard maxSamples >= 1 else { throw ValidationError("--max-samples must be at least 1") }
        guard maxFeatures > 0, maxFeatures <= 1 else { throw ValidationError("--max-features must be in (0, 1]") }
    }

    var parameters: IsolationForestParameters {
        IsolationForestParameters(trees: trees, maxSamples: maxSamples, maxFeatures: maxFeatures, seed: seed)
    }
}

extension FitRows: ExpressibleByArgument {}

/// How features are computed (see FeatureConfiguration).
struct FeatureOptions: ParsableArguments {
    @Option(help: "Features per vital, comma-separated: value, change, variability.")
    var kinds = "value,change,variability"
    @Option(help: "Window of the change feature, seconds.")
    var deltaWindow = 60.0
    @Option(help: "Window of the variability (standard deviation) feature, seconds.")
    var variabilityWindow = 300.0
    @Option(help: "Carry a missing value forward from a sample at most this old, seconds.")
    var carryForward = 30.0
    @Option(help: "Drop a feature observed in fewer than this share of training rows.")
    var minObservedFraction = 0.05
    @Flag(help: "Add a <vital>_missing indicator per vital (off: missingness is not an anomaly).")
    var missingIndicators = false

    func validate() throws {
        guard deltaWindow > 0, variabilityWindow > 0 else { throw ValidationError("windows must be positive") }
        guard carryForward >= 0 else { throw ValidationError("--carry-forward must not be negative") }
        guard (0..<1).contains(minObservedFraction) else { throw ValidationError("--min-observed-fraction must be in [0, 1)") }
        _ = try parsedKinds()
    }

    func parsedKinds() throws -> [FeatureSpec.Kind] {
        let kinds = try self.kinds.split(separator: ",").map { name in
            guard let kind = FeatureSpec.Kind(rawValue: String(name)), kind != .missing else {
                throw ValidationError("--kinds: '\(name)' is not one of value, change, variability")
            }
            return kind
        }
        guard !kinds.isEmpty else { throw ValidationError("--kinds must name at least one kind") }
        return kinds
    }

    var configuration: FeatureConfiguration {
        FeatureConfiguration(kinds: (try? parsedKinds()) ?? [.value, .change, .variability], deltaWindowSeconds: deltaWindow, variabilityWindowSeconds: variabilityWindow,
                             carryForwardSeconds: carryForward, missingIndicators: missingIndicators,
                             minimumObservedFraction: minObservedFraction)
    }
}

/// What `physio train` needs besides the data; `physio evaluate` trains with the same options.
struct TrainingOptions: ParsableArguments {
    @OptionGroup var forest: ForestOptions
    @OptionGroup var features: FeatureOptions
    @Option(help: "Grow the forest on all samples or on rule_negative ones (no clinical rule true).")
    var fitRows = FitRows.ruleNegative
    @Option(help: "Share of the fitted samples flagged: sets the threshold (default 0.02).")
    var contamination: Double?
    @Option(help: "A fixed score threshold instead (0.5 = scikit-learn's contamination='auto').")
    var thresholdScore: Double?
    @Option(help: "Or the lowest threshold at which this share of the flagged training samples have a clinical rule true.")
    var targetPrecision: Double?

    func validate() throws {
        if let contamination, !(contamination > 0 && contamination < 0.5) {
            throw ValidationError("--contamination must be in (0, 0.5)")
        }
        if let targetPrecision, !(targetPrecision > 0 && targetPrecision <= 1) {
            throw ValidationError("--target-precision must be in (0, 1]")
        }
        if [contamination, thresholdScore, targetPrecision].compactMap({ $0 }).count > 1 {
            throw ValidationError("give one of --contamination, --threshold-score and --target-precision")
        }
    }

    func parameters(description: String) -> TrainingParameters {
        let threshold: ThresholdRule = thresholdScore.map { .fixedScore($0) }
            ?? contamination.map { .contamination($0) } ?? targetPrecision.map { .targetPrecision($0) }
            ?? TrainingParameters.defaultThreshold
        return TrainingParameters(forest: forest.parameters, fitRows: fitRows, features: features.configuration,
                                  threshold: threshold, dataDescription: description)
    }
}
