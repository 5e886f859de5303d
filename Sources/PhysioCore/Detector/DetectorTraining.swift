#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import PhysioPlatform

extension AnomalyModel {
    /// Trains the detector on `cases` (each sorted by time): the breach risk
    /// and the alarm policy need no training; each vital's novelty forest is
    /// grown on that vital's rule-negative rows and calibrated on their
    /// scores. A vital with fewer than `minimumNoveltyRows` such rows gets no
    /// forest (its rules still score). Metrics are in-sample, every row.
    public static func train(cases: [SampleBatch], parameters: TrainingParameters) -> AnomalyModel {
        let started = Clock.monotonicNanos()
        var untrained = AnomalyModel(parameters: parameters, novelty: [], metadata: nil)
        var rows = [[Float]](repeating: [], count: Vital.count)
        var rowCounts = [Int](repeating: 0, count: Vital.count)
        for series in cases where !series.isEmpty {
            for vital in parameters.noveltyVitals {
                let sample = noveltyRows(series, vital: vital, parameters: parameters)
                for (index, ruleTrue) in sample.ruleTrue.enumerated() where !ruleTrue {
                    rows[vital.rawValue] += sample.features[(index * 4)..<(index * 4 + 4)]
                    rowCounts[vital.rawValue] += 1
                }
            }
        }
        var novelty: [VitalNovelty] = []
        for vital in parameters.noveltyVitals where rowCounts[vital.rawValue] >= parameters.minimumNoveltyRows {
            novelty.append(Self.noveltyForest(vital, rows: rows[vital.rawValue], parameters: parameters))
        }
        untrained.novelty = novelty

        // In-sample record: every row of every case, scored as the workers would.
        let scorer = CaseScorer(model: untrained)
        var scores: [Double] = [], labels: [Bool] = [], alarms: [Bool] = []
        for series in cases where !series.isEmpty {
            for sample in scorer.scoreCase(series) {
                scores.append(sample.score)
                labels.append(!sample.rules.isEmpty)
                alarms.append(sample.anomalous)
            }
        }
        let metadata = TrainingMetadata(
            trainedAt: Timestamp.format(parameters.trainedAt ?? Clock.nowMicros()), dataDescription: parameters.dataDescription,
            caseCount: cases.filter { !$0.isEmpty }.count, sampleCount: scores.count,
            noveltyRows: Dictionary(uniqueKeysWithValues: novelty.map { ($0.vital.name, rowCounts[$0.vital.rawValue]) }),
            parameters: parameters, fitSeconds: Double(Clock.monotonicNanos() - started) / 1e9,
            metrics: TrainingMetrics(scores: scores, labels: labels, alarms: alarms))
        return AnomalyModel(parameters: parameters, novelty: novelty, metadata: metadata)
    }

    /// The novelty features of `vital` at every row of a case where it has a
    /// held value, flat (4 per row, NaN = missing, before imputation), with
    /// each row's time and whether a clinical rule is true there. Training
    /// grows the forest on the rule-negative rows; `physio features` writes them all.
    public static func noveltyRows(_ series: SampleBatch, vital: Vital, parameters: TrainingParameters)
        -> (times: [Int64], features: [Float], ruleTrue: [Bool]) {
        var features = CaseFeatures(series, rows: 0..<series.count, contextSeconds: 0, minutes: MinuteMeans(series),
                                    vitals: [vital], rules: parameters.rules, artefacts: parameters.artefacts, hold: parameters.hold,
                                    trends: parameters.trends, baseline: parameters.baseline)
        let ruleTrue = features.ruleTrue(parameters.rules)
        var times: [Int64] = [], values: [Float] = [], labels: [Bool] = []
        for offset in 0..<series.count {
            guard let f = features.noveltyFeatures(vital, offset: offset) else { continue }
            times.append(features.times[offset])
            values += [f.deviation, f.slope1, f.slope5, f.spread]
            labels.append(ruleTrue[offset])
        }
        return (times, values, labels)
    }

    /// A model with no novelty forests: breach risk, alarm policy and safety
    /// floor only. Needs no data; what a server scores with before a model is trained.
    public static func untrained(_ parameters: TrainingParameters = .init()) -> AnomalyModel {
        AnomalyModel(parameters: parameters, novelty: [], metadata: nil)
    }

    init(parameters: TrainingParameters, novelty: [VitalNovelty], metadata: TrainingMetadata?) {
        self.init(rules: parameters.rules, artefacts: parameters.artefacts, hold: parameters.hold, trends: parameters.trends,
                  baseline: parameters.baseline, risk: parameters.risk, novelty: novelty, noveltyWeight: parameters.noveltyWeight,
                  policy: parameters.policy,
                  metadata: metadata ?? TrainingMetadata(
                    trainedAt: Timestamp.format(parameters.trainedAt ?? 0), dataDescription: "untrained: breach risk and safety floor only",
                    caseCount: 0, sampleCount: 0, noveltyRows: [:], parameters: parameters, fitSeconds: 0,
                    metrics: TrainingMetrics(scores: [], labels: [], alarms: [])))
    }

    /// One vital's forest on its rows (4 features each, NaN = missing) and its calibration.
    static func noveltyForest(_ vital: Vital, rows: [Float], parameters: TrainingParameters) -> VitalNovelty {
        let width = VitalNovelty.featureNames.count
        var spreads = stride(from: 3, to: rows.count, by: width).map { rows[$0] }.filter { !$0.isNaN }
        spreads.sort()
        let medianSpread = spreads.isEmpty ? 0 : spreads[spreads.count / 2]
        let imputed: [Float] = [0, 0, 0, medianSpread]
        var values = rows
        for index in values.indices where values[index].isNaN { values[index] = imputed[index % width] }
        let matrix = FeatureMatrix(columns: width, values: values)
        var forestParameters = parameters.forest
        forestParameters.seed = parameters.forest.seed &+ UInt64(vital.rawValue)
        let forest = IsolationForest.fit(matrix, parameters: forestParameters)
        let scores = forest.scoreSamples(matrix).sorted()
        let tailIndex = min(scores.count - 1, Int((parameters.noveltyTailQuantile * Double(scores.count)).rounded(.down)))
        return VitalNovelty(vital: vital, forest: forest, imputed: imputed, tailScore: scores[tailIndex], maximumScore: scores.last!)
    }
}
