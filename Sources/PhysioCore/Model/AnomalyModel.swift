#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

import PhysioPlatform

/// The deployable detector: how features are made (configuration, the
/// features kept, their imputation medians), the forest, the decision
/// threshold and the training record. Scores follow `IsolationForest`'s
/// convention: s in (0, 1], higher = more abnormal, anomalous when s > `threshold`.
public struct AnomalyModel: Codable, Sendable {
    /// Bumped when the JSON layout changes incompatibly.
    public static let formatVersion = 1

    public var formatVersion: Int
    public var threshold: Double
    public var featureNames: [String]
    public var features: [FeatureSpec]
    public var configuration: FeatureConfiguration
    public var imputer: Imputer
    public var forest: IsolationForest
    public var metadata: TrainingMetadata

    var extractor: FeatureExtractor { FeatureExtractor(configuration: configuration, features: features) }

    /// Grows the forest on the samples of `cases` (each sorted by time)
    /// that `parameters.fitRows` selects and sets the threshold on their
    /// scores by `parameters.threshold`. Metrics cover every sample.
    public static func train(cases: [SampleBatch], parameters: TrainingParameters) -> AnomalyModel {
        let started = Clock.monotonicNanos()
        let trainingSet = TrainingSet(cases: cases, configuration: parameters.features, rules: parameters.rules)
        precondition(trainingSet.rows > 0, "no samples to train on")
        let prepared = trainingSet.prepared(fitRows: parameters.fitRows)
        let forest = IsolationForest.fit(prepared.fitMatrix, parameters: parameters.forest)
        let scores = forest.scoreSamples(prepared.matrix)
        let fitScores = zip(scores, prepared.fitMask).filter { $0.1 }.map { $0.0 }
        let threshold = parameters.threshold.threshold(fitScores: fitScores, scores: scores, labels: trainingSet.labels)
        let fitSeconds = Double(Clock.monotonicNanos() - started) / 1e9
        let metadata = TrainingMetadata(
            trainedAt: Timestamp.format(parameters.trainedAt ?? Clock.nowMicros()),
            dataDescription: parameters.dataDescription,
            caseCount: trainingSet.caseIDs.count, sampleCount: trainingSet.rows, fitSampleCount: fitScores.count,
            parameters: parameters,
            droppedFeatures: prepared.dropped, observedFraction: prepared.observedFraction,
            fitSeconds: fitSeconds,
            metrics: TrainingMetrics(scores: scores, labels: trainingSet.labels, threshold: threshold))
        return AnomalyModel(formatVersion: formatVersion, threshold: threshold,
                            featureNames: prepared.features.map(parameters.features.name(of:)),
                            features: prepared.features, configuration: parameters.features,
                            imputer: prepared.imputer, forest: forest, metadata: metadata)
    }

    /// Imputed feature rows for `rows` of `series` (earlier rows are context).
    public func featureMatrix(_ series: SampleBatch, rows: Range<Int>) -> FeatureMatrix {
        var matrix = extractor.extract(series, rows: rows)
        imputer.transform(&matrix)
        return matrix
    }

    /// Scores rows of one case; `series` holds the case's samples sorted by time (rows before `rows.lowerBound` are context for the windows).
    public func score(_ series: SampleBatch, rows: Range<Int>) -> [Double] {
        guard !rows.isEmpty else { return [] }
        return forest.scoreSamples(featureMatrix(series, rows: rows))
    }

    /// Scores with the feature rows behind them, before and after
    /// imputation, so anomalous rows can be explained without extracting
    /// their features again.
    public func scoredFeatures(_ series: SampleBatch, rows: Range<Int>) -> (scores: [Double], raw: FeatureMatrix, imputed: FeatureMatrix) {
        let raw = extractor.extract(series, rows: rows)
        var imputed = raw
        imputer.transform(&imputed)
        return (rows.isEmpty ? [] : forest.scoreSamples(imputed), raw, imputed)
    }

    public func isAnomalous(_ score: Double) -> Bool { score > threshold }

    /// The clinical rules the model was trained and evaluated with.
    public var rules: ClinicalRules { metadata.parameters.rules }

    /// Ids of the rules true at `row`, on values cleaned by this model's artefact filter.
    public func firedRules(_ series: SampleBatch, row: Int) -> [String] {
        rules.fired(in: series, row: row, filter: configuration.artefacts)
    }

    /// An anomalous sample for `EpisodeBuilder`: score, explanation and rules fired at `row`.
    public func anomalyPoint(_ series: SampleBatch, row: Int, score: Double) -> AnomalyPoint {
        AnomalyPoint(timestamp: series.timestamps[row], score: score,
                     vitals: explain(series, row: row).map { VitalWeight(vital: $0.vital, weight: $0.weight) },
                     rules: firedRules(series, row: row))
    }

    /// The vitals that drove the score at `row`, most important first, with a weight ≥ 0 (say in the doc how you attribute: e.g. per-feature path-length contribution or deviation from the training median in robust units).
    ///
    /// Attribution is by path: `IsolationForest.isolationCredit` shares each
    /// tree's isolation of the sample (log2 of training samples separated
    /// from it, per split) among the features split on; a vital gets the
    /// credit of its value, change and variability features. Features that
    /// were imputed at this row earn nothing (a vital that was not measured
    /// did not drive anything), nor do missing indicators. Weights are shares
    /// summing to 1; vitals with no share are left out.
    public func explain(_ series: SampleBatch, row: Int) -> [(vital: Vital, weight: Double)] {
        let extracted = scoredFeatures(series, rows: row..<(row + 1))
        return explain(raw: extracted.raw, imputed: extracted.imputed, row: 0)
    }

    /// The same for row `row` of feature matrices from `scoredFeatures`.
    public func explain(raw: FeatureMatrix, imputed: FeatureMatrix, row: Int) -> [(vital: Vital, weight: Double)] {
        let credit = forest.isolationCredit(Array(imputed.row(row)))
        var perVital = [Double](repeating: 0, count: Vital.count)
        for (column, feature) in features.enumerated() where feature.kind != .missing && !raw[row, column].isNaN {
            perVital[feature.vital.rawValue] += credit[column]
        }
        let total = perVital.reduce(0, +)
        guard total > 0 else { return [] }
        return Vital.allCases
            .filter { perVital[$0.rawValue] > 0 }
            .map { (vital: $0, weight: perVital[$0.rawValue] / total) }
            .sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.vital.rawValue < $1.vital.rawValue }
    }

    // MARK: Serialisation (the only place JSON goes through Foundation: not a hot path)

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }

    public static func decode(_ bytes: [UInt8]) throws -> AnomalyModel {
        let model = try JSONDecoder().decode(AnomalyModel.self, from: Data(bytes))
        guard model.formatVersion == formatVersion else { throw ModelFormatError.unsupportedVersion(model.formatVersion) }
        guard model.features.count == model.featureNames.count, model.features.count == model.imputer.medians.count,
              model.forest.featureCount == model.features.count
        else { throw ModelFormatError.inconsistent("feature list, medians and forest disagree in length") }
        return model
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", threshold, featureNames = "feature_names", features, configuration
        case imputer, forest, metadata
    }
}

public enum ModelFormatError: Error, CustomStringConvertible {
    case unsupportedVersion(Int)
    case inconsistent(String)

    public var description: String {
        switch self {
        case .unsupportedVersion(let version): "model format version \(version) is not supported (expected \(AnomalyModel.formatVersion))"
        case .inconsistent(let detail): "model file is inconsistent: \(detail)"
        }
    }
}
