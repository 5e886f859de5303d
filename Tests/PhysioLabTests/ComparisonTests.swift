import Testing
@testable import PhysioLab
import PhysioCore
import PhysioPlatform

/// Bootstrap intervals by case, the comparison of detector and baselines,
/// and the reports per feed subset.
@Suite struct ComparisonTests {
    /// `count` hourly-free cases of 200 s at 1 Hz: label true for 40 s of each;
    /// the detector's score is the label plus noise whose size differs by case.
    static func cases(_ count: Int, seed: UInt64 = 7) -> [CaseScores] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { index in
            let timestamps = (0..<200).map { Int64($0) * 1_000_000 }
            let start = random.nextIndex(below: 150)
            let labels = (0..<200).map { (start..<start + 40).contains($0) }
            let noise = 0.5 + 1.5 * random.nextUnit()
            let scores = labels.map { ($0 ? 1 : 0) + noise * (random.nextUnit() - 0.5) * 2 }
            return CaseScores(caseID: "c\(index)", timestamps: timestamps, ruleTrue: labels, evaluated: 0..<200,
                              scores: scores, threshold: 0.5)
        }
    }

    static func seedAUROC(_ cases: [CaseScores], bootstrap: CaseBootstrap = .init(resamples: 200)) -> Estimate {
        Evaluation(cases: cases, settings: EvaluationSettings(bootstrap: bootstrap)).comparison
            .task(.seedProtocol)!.results[0].rocAUC
    }

    @Test func weightedRankingEqualsTheDuplicatedPool() throws {
        var random = SeededGenerator(seed: 3)
        // Scores on a coarse grid, so ties between cases and classes are common.
        let scores = (0..<300).map { _ in Double(random.nextIndex(below: 12)) }
        let labels = (0..<300).map { _ in random.nextUnit() < 0.3 }
        let cases = (0..<300).map { Int32($0 % 5) }
        let ranking = ResampledRanking(scores: scores, labels: labels, cases: cases, caseCount: 5)
        let once = ranking.unweighted
        #expect(abs(try #require(once.rocAUC) - RankingMetrics.rocAUC(scores: scores, labels: labels)!) < 1e-12)
        #expect(abs(try #require(once.averagePrecision) - RankingMetrics.averagePrecision(scores: scores, labels: labels)!) < 1e-12)
        // Case 0 twice, case 3 left out, the others once: the pool with those samples repeated.
        let weights: [Int32] = [2, 1, 1, 0, 1]
        var pooledScores: [Double] = [], pooledLabels: [Bool] = []
        for i in scores.indices {
            for _ in 0..<weights[Int(cases[i])] { pooledScores.append(scores[i]); pooledLabels.append(labels[i]) }
        }
        let resampled = ranking.metrics(weights: weights)
        #expect(abs(try #require(resampled.rocAUC) - RankingMetrics.rocAUC(scores: pooledScores, labels: pooledLabels)!) < 1e-12)
        #expect(abs(try #require(resampled.averagePrecision)
            - RankingMetrics.averagePrecision(scores: pooledScores, labels: pooledLabels)!) < 1e-12)
    }

    @Test func drawsResampleCasesWithReplacement() {
        let draws = CaseBootstrap(resamples: 300, seed: 1).draws(cases: 10, stream: 0)
        #expect(draws.count == 300)
        #expect(draws.allSatisfy { $0.reduce(0, +) == 10 })
        #expect(draws.contains { $0.contains(0) })  // some case left out
        #expect(draws.contains { $0.contains { $0 > 1 } })  // some case drawn twice
        #expect(CaseBootstrap(resamples: 300, seed: 1).draws(cases: 10, stream: 0) == draws)
        #expect(CaseBootstrap(resamples: 300, seed: 2).draws(cases: 10, stream: 0) != draws)
    }

    @Test func percentilesInterpolateAsNumpyDoes() {
        // numpy.percentile(range(1, 101), [2.5, 97.5]) = [3.475, 97.525]
        let interval = CaseBootstrap.percentileInterval((1...100).map(Double.init))!
        #expect(abs(interval.lowerBound - 3.475) < 1e-12 && abs(interval.upperBound - 97.525) < 1e-12)
        #expect(CaseBootstrap.percentileInterval([]) == nil)
    }

    @Test func theIntervalHoldsTheEstimateAndIsReproducible() throws {
        let cases = Self.cases(20)
        let estimate = Self.seedAUROC(cases)
        let value = try #require(estimate.value), interval = try #require(estimate.interval)
        #expect(value == Evaluation(cases: cases).seed.rocAUC)
        #expect(interval.contains(value))
        #expect(interval.upperBound - interval.lowerBound > 0.001)
        #expect(Self.seedAUROC(cases).interval == interval)
        #expect(Self.seedAUROC(cases, bootstrap: .init(resamples: 200, seed: 9)).interval != interval)
    }

    @Test func moreCasesNarrowTheInterval() throws {
        let few = try #require(Self.seedAUROC(Self.cases(8)).interval)
        let many = try #require(Self.seedAUROC(Self.cases(128)).interval)
        #expect(many.upperBound - many.lowerBound < (few.upperBound - few.lowerBound) / 2)
    }

    @Test func oneCaseHasNoIntervalByCase() throws {
        let estimate = Self.seedAUROC(Self.cases(1))
        #expect(estimate.value != nil)
        #expect(estimate.interval == nil)
    }

    @Test func casesAreGroupedByTheVitalsTheySentOrByTheirNamedFeed() throws {
        let full = BaselineTests.series("a", seconds: 60, [.hr: { _ in 80 }, .sbp: { _ in 120 }, .dbp: { _ in 70 },
                                                           .mbp: { _ in 87 }, .spo2: { _ in 98 }])
        let mapOnly = BaselineTests.series("b", seconds: 60, [.mbp: { _ in 80 }])
        // HR and SpO2 only; one implausible MBP (a disconnected transducer) does not count as sent.
        let pulseOximeter = BaselineTests.series("c", seconds: 60, [.hr: { _ in 80 }, .spo2: { _ in 97 }, .mbp: { $0 == 5 ? -3 : nil }])
        let cases = [full, mapOnly, pulseOximeter, mapOnly.renamed(to: "d")].map { BaselineTests.scored($0) }
        #expect(cases.map { CaseFeed.name(of: $0, feeds: nil) } == ["hr+sbp+dbp+mbp+spo2", "mbp only", "hr+spo2", "mbp only"])
        let evaluation = Evaluation(cases: cases)
        #expect(evaluation.feedSource == "vitals sent")
        #expect(evaluation.feeds.map(\.name) == ["hr+sbp+dbp+mbp+spo2", "hr+spo2", "mbp only"])
        #expect(evaluation.feeds.map(\.evaluation.cases.count) == [1, 1, 2])
        #expect(evaluation.feeds.last!.evaluation.cases.map(\.caseID) == ["b", "d"])
        // Baselines run on every feed.
        #expect(evaluation.feeds.allSatisfy { $0.evaluation.comparison.scorers.count == 1 + Baseline.allCases.count })

        let named = Evaluation(cases: cases, feeds: ["a": "all", "b": "arterial line", "c": "all", "d": "arterial line"])
        #expect(named.feedSource == "feeds.csv")
        #expect(named.feeds.map(\.name) == ["all", "arterial line"])
        #expect(named.feeds.map { $0.evaluation.cases.map(\.caseID) } == [["a", "c"], ["b", "d"]])
        // One feed for every case: no subsets beyond the whole.
        #expect(Evaluation(cases: [cases[1], cases[3]]).feeds.isEmpty)
    }

    @Test func currentMAPWarnsOfHypotensionAndTheDetectorIsJudgedBesideIt() throws {
        // MAP-only cases: flat at 80 for 20 min, then falling 1 mmHg/20 s to 55 and held there (a sustained MAP < 65).
        let cases = (0..<4).map { index in
            let fallFrom = 1_200 + index * 60
            let series = BaselineTests.series("m\(index)", seconds: 2_400, [.mbp: { second in
                second < fallFrom ? 80 : max(55, 80 - Float(second - fallFrom) / 20)
            }])
            // The detector here: the time of day, which knows nothing.
            return CaseScores(series: series, window: .all, rules: .standard, filter: .standard) { _, rows in
                DetectorOutput(scores: rows.map { Double($0 % 97) }, threshold: 200)
            }
        }
        let evaluation = Evaluation(cases: cases, settings: EvaluationSettings(bootstrap: .init(resamples: 200)))
        let task = try #require(evaluation.comparison.task(.hypotensionWarning))
        #expect(task.cases == 4)
        #expect(task.positives > 0)
        let map = try #require(task.results.first { $0.scorer.id == "current_map" })
        let detector = task.results[0]
        // MAP reaches 65 five minutes after it starts to fall: current MAP separates the minutes before the breach from the rest.
        #expect(try #require(map.rocAUC.value) > 0.95)
        #expect(try #require(detector.rocAUC.value) < 0.7)
        #expect(try #require(map.detectorAdvantage?.value) < -0.25)
        #expect(try #require(map.detectorAdvantage?.interval).upperBound < 0)
        // The early-warning target asks for the best baseline + 0.03: not met here.
        let check = try #require(Targets(evaluation).checks.first { $0.name == "early_warning" })
        #expect(check.met == false)
    }

    @Test func aDetectorsOwnHypotensionScoreJudgesTheHypotensionTask() throws {
        // The same falling MAP; the detector's general score knows nothing, its hypotension score is minus the MAP.
        let cases = (0..<4).map { index in
            let fallFrom = 1_200 + index * 60
            let series = BaselineTests.series("h\(index)", seconds: 2_400, [.mbp: { second in
                second < fallFrom ? 80 : max(55, 80 - Float(second - fallFrom) / 20)
            }])
            return CaseScores(series: series, window: .all, rules: .standard, filter: .standard) { series, rows in
                DetectorOutput(scores: rows.map { Double($0 % 97) }, alarms: rows.map { _ in false },
                               hypotensionScores: rows.map { -Double(series.value(.mbp, row: $0) ?? 0) })
            }
        }
        let evaluation = Evaluation(cases: cases, settings: EvaluationSettings(bootstrap: .init(resamples: 200)))
        let hypotension = try #require(evaluation.comparison.task(.hypotensionWarning)?.results.first)
        let warning = try #require(evaluation.comparison.task(.earlyWarning)?.results.first)
        #expect(try #require(hypotension.rocAUC.value) > 0.95)
        #expect(try #require(warning.rocAUC.value) < 0.7, "the other tasks keep the general score")
    }

    @Test func reportsShowDetectorAndBaselinesSideBySidePerFeed() throws {
        let cases = [BaselineTests.series("a", seconds: 600, [.hr: { 80 + Float($0 % 60) }, .spo2: { _ in 97 }]),
                     BaselineTests.series("b", seconds: 600, [.mbp: { 90 - Float($0) / 10 }]),
                     BaselineTests.series("c", seconds: 600, [.mbp: { 85 - Float($0) / 12 }])].map { BaselineTests.scored($0) }
        let evaluation = Evaluation(cases: cases, settings: EvaluationSettings(bootstrap: .init(resamples: 200)))
        let text = evaluation.text()
        #expect(text.contains("detector and baselines (AUROC, AUPRC; 95 % intervals by case: 200 resamples of cases, seed 0):"))
        for title in ["detector", "plain rules", "NEWS2 (monitor)", "current MAP", "threshold distance"] { #expect(text.contains("    " + title)) }
        #expect(text.contains("feed subsets (vitals sent): 2"))
        #expect(text.contains("== feed mbp only: 2 cases =="))
        var json = JSONWriter()
        json.beginObject(); evaluation.writeFields(into: &json); json.endObject()
        let report = String(decoding: json.bytes, as: UTF8.self)
        for key in ["\"comparison\":", "\"bootstrap\":{\"resamples\":200,\"seed\":0", "\"roc_auc_ci\":", "\"detector_minus_this_roc_auc\":",
                    "\"feed_source\":\"vitals sent\"", "\"feed\":\"mbp only\",\"cases_evaluated\":2,\"case_ids\":[\"b\",\"c\"]",
                    "\"hypotension_early_warning\":", "\"named_baseline\":\"current_map\""] {
            #expect(report.contains(key), "\(key)")
        }
    }
}
