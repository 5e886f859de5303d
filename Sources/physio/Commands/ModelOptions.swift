import ArgumentParser
import PhysioCore

/// Isolation Forest parameters of each vital's novelty forest, named as scikit-learn's.
struct ForestOptions: ParsableArguments {
    @Option(help: "Random seed: the same seed and data give the same forests (env PHYSIO_TRAIN_SEED).")
    var seed = UInt64(Environment.int("PHYSIO_TRAIN_SEED", default: 0))
    @Option(help: "Number of trees per forest, scikit-learn n_estimators (env PHYSIO_TRAIN_TREES).")
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

/// What `physio train` needs besides the data; `physio evaluate` trains with
/// the same options. Every default is the shipped detector: change one and
/// the model is no longer the one the README's evaluation describes.
struct TrainingOptions: ParsableArguments {
    @OptionGroup var forest: ForestOptions
    @Option(help: "Breach-risk horizon, seconds.")
    var riskHorizon = TrainingParameters().risk.horizonSeconds
    @Option(help: "Chance within the horizon of an event the trend cannot foresee (0: the random walk alone).")
    var eventChance = TrainingParameters().risk.events.chance
    @Option(help: "Score at or above which an alarm may start.")
    var alarmThreshold = AlarmPolicy().threshold
    @Option(help: "Seconds the score must stay at or above the threshold before it alarms.")
    var persist = AlarmPolicy().persistSeconds
    @Option(help: "Seconds an alarm is held after the score last confirmed it.")
    var hold = AlarmPolicy().holdSeconds
    @Option(help: "Weight of novelty in the score, 0 to 1 (0: breach risk alone).")
    var noveltyWeight = TrainingParameters().noveltyWeight
    @Option(help: "Training quantile of a forest's score above which novelty counts.")
    var noveltyQuantile = TrainingParameters().noveltyTailQuantile

    func validate() throws {
        guard riskHorizon > 0 else { throw ValidationError("--risk-horizon must be positive") }
        guard (0..<1).contains(eventChance) else { throw ValidationError("--event-chance must be in [0, 1)") }
        guard alarmThreshold > 0, alarmThreshold <= 1 else { throw ValidationError("--alarm-threshold must be in (0, 1]") }
        guard persist >= 0, hold >= 0 else { throw ValidationError("--persist and --hold must not be negative") }
        guard (0...1).contains(noveltyWeight) else { throw ValidationError("--novelty-weight must be in [0, 1]") }
        guard (0..<1).contains(noveltyQuantile) else { throw ValidationError("--novelty-quantile must be in [0, 1)") }
    }

    func parameters(description: String) -> TrainingParameters {
        var policy = AlarmPolicy()
        policy.threshold = alarmThreshold
        policy.persistSeconds = persist
        policy.holdSeconds = hold
        return TrainingParameters(forest: forest.parameters, noveltyTailQuantile: noveltyQuantile, noveltyWeight: noveltyWeight,
                                  risk: BreachRisk(horizonSeconds: riskHorizon, events: EventRisk(chance: eventChance)), policy: policy, dataDescription: description)
    }
}
