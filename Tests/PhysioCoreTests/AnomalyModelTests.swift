import Testing
@testable import PhysioCore

@Suite struct AnomalyModelTests {
    static let cases = [
        TestData.patient("a", seconds: 1800, seed: 1),
        TestData.patient("b", seconds: 1800, seed: 2, hypotension: 900..<960),
        TestData.patient("c", seconds: 1800, seed: 3),
    ]
    static let parameters = TrainingParameters(forest: .init(trees: 50, seed: 17),
                                               features: FeatureConfiguration(vitals: Vital.allCases),
                                               dataDescription: "synthetic test cases", trainedAt: 0)
    static let model = AnomalyModel.train(cases: cases, parameters: parameters)

    @Test func featuresNeverObservedAreDropped() {
        let model = Self.model
        #expect(model.featureNames.contains("hr") && model.featureNames.contains("mbp_delta_60s"))
        #expect(!model.featureNames.contains { $0.hasPrefix("rr") || $0.hasPrefix("temp") || $0.hasPrefix("etco2") })
        #expect(model.metadata.droppedFeatures.contains("temp_sd_300s"))
        #expect(model.metadata.sampleCount == 5400 && model.metadata.caseCount == 3)
        #expect(model.metadata.trainedAt == "1970-01-01T00:00:00Z")
    }

    @Test func hypotensionScoresAboveTheThresholdAndNormalBelow() {
        let model = Self.model
        let scores = model.score(Self.cases[1], rows: 0..<1800)
        let during = scores[910..<960], before = scores[300..<880]
        #expect(during.filter(model.isAnomalous).count > 40, "most of the hypotension is flagged")
        #expect(Double(before.filter(model.isAnomalous).count) < 0.05 * Double(before.count))
        #expect(during.min()! > before.sorted()[before.count / 2])
    }

    @Test func thresholdFlagsTheContaminationShareOfTheFittedSamples() {
        // Grown on rule-negative samples: 2 % of those are above the threshold.
        let model = Self.model
        var negatives = 0, flagged = 0
        for series in Self.cases {
            let labels = ClinicalRules.standard.labels(for: series)
            for (score, label) in zip(model.score(series, rows: 0..<series.count), labels) where !label {
                negatives += 1
                if model.isAnomalous(score) { flagged += 1 }
            }
        }
        #expect(model.metadata.fitSampleCount == negatives)
        #expect(abs(Double(flagged) / Double(negatives) - 0.02) < 0.002)
        #expect(model.metadata.metrics.flaggedFraction > 0.02, "rule-positive samples are flagged on top")
        #expect(model.metadata.metrics.rocAUC! > 0.9)
    }

    @Test func scoringABatchWithContextEqualsScoringTheWholeCase() {
        let model = Self.model, series = Self.cases[1]
        let whole = model.score(series, rows: 0..<series.count)
        for range in [0..<1, 880..<940, 1799..<1800] {
            #expect(model.score(series, rows: range) == Array(whole[range]))
        }
        #expect(model.score(series, rows: 5..<5).isEmpty)
    }

    @Test func explanationNamesTheBloodPressure() {
        let explanation = Self.model.explain(Self.cases[1], row: 930)
        #expect(!explanation.isEmpty)
        #expect([Vital.sbp, .dbp, .mbp].contains(explanation[0].vital))
        #expect(abs(explanation.map(\.weight).reduce(0, +) - 1) < 1e-9)
        #expect(explanation.allSatisfy { $0.weight > 0 })
        #expect(zip(explanation, explanation.dropFirst()).allSatisfy { $0.weight >= $1.weight })
    }

    @Test func anomalyPointsCarryExplanationAndRules() {
        let model = Self.model, series = Self.cases[1]
        let score = model.score(series, rows: 930..<931)[0]
        let point = model.anomalyPoint(series, row: 930, score: score)
        #expect(point.timestamp == 930_000_000 && point.score == score)
        #expect(point.rules.contains("sbp_lt_80"))
        #expect(point.vitals.first.map { [Vital.sbp, .dbp, .mbp].contains($0.vital) } == true)
        let episodes = EpisodeBuilder().merge(caseID: "b", existing: [], points: [point])
        #expect(episodes.upserted.first?.rules == point.rules.sorted())
    }

    @Test func unmeasuredVitalsAreNotBlamed() {
        var series = Self.cases[0]
        // Last row: only SpO2, far below anything seen, everything else long gone.
        let row = series.appendRow(timestamp: 9_000_000_000)
        series.set(.spo2, row: row, to: 60)
        let explanation = Self.model.explain(series, row: row)
        #expect(explanation.map(\.vital) == [.spo2])
    }

    @Test func serialisationRoundTripGivesIdenticalScores() throws {
        let model = Self.model
        let bytes = try model.encoded()
        let decoded = try AnomalyModel.decode(bytes)
        #expect(decoded.threshold == model.threshold)
        #expect(decoded.featureNames == model.featureNames)
        #expect(decoded.metadata == model.metadata)
        for series in Self.cases {
            #expect(decoded.score(series, rows: 0..<series.count) == model.score(series, rows: 0..<series.count))
        }
        #expect(try decoded.encoded() == bytes, "encoding is deterministic")
    }

    @Test func garbageIsRejected() {
        #expect(throws: (any Error).self) { try AnomalyModel.decode(Array("{\"format_version\": 1}".utf8)) }
        #expect(throws: (any Error).self) { try AnomalyModel.decode([0xFF, 0x00]) }
    }
}
