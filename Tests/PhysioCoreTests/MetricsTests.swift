import Foundation
import Testing
@testable import PhysioCore

@Suite struct MetricsTests {
    @Test func rocAUCOfASmallCase() {
        // Pairs (positive, negative): 0.35 beats 0.1 and loses to 0.4; 0.8 beats both: 3 of 4.
        #expect(RankingMetrics.rocAUC(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true]) == 0.75)
        #expect(RankingMetrics.rocAUC(scores: [1, 2, 3], labels: [false, true, true]) == 1)
        #expect(RankingMetrics.rocAUC(scores: [3, 2, 1], labels: [false, true, true]) == 0)
    }

    @Test func tiesCountOneHalf() {
        // 0.9 beats all 3 negatives; each positive 0.5 ties two negatives (½ each) and beats 0.2: 3 + 2 + 2 = 7 of 9.
        let scores = [0.5, 0.5, 0.2, 0.9, 0.5, 0.5]
        let labels = [false, true, false, true, true, false]
        #expect(abs(RankingMetrics.rocAUC(scores: scores, labels: labels)! - 7.0 / 9) < 1e-12)
        #expect(RankingMetrics.rocAUC(scores: [1, 1, 1, 1], labels: [true, false, true, false]) == 0.5)
    }

    @Test func averagePrecisionAsScikitLearn() {
        // Ranked: 0.8 (+) P=1 R=½; 0.4 (−); 0.35 (+) P=⅔ R=1 → ½·1 + ½·⅔.
        let ap = RankingMetrics.averagePrecision(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true])!
        #expect(abs(ap - 5.0 / 6) < 1e-12)
        // With ties: 0.9 gives P=1 R=⅓; the tied 0.5 group gives P=3/5 R=1 → ⅓ + ⅔·⅗.
        let tied = RankingMetrics.averagePrecision(scores: [0.5, 0.5, 0.2, 0.9, 0.5, 0.5],
                                                   labels: [false, true, false, true, true, false])!
        #expect(abs(tied - 11.0 / 15) < 1e-12)
    }

    @Test func undefinedWithOneClass() {
        #expect(RankingMetrics.rocAUC(scores: [1, 2], labels: [true, true]) == nil)
        #expect(RankingMetrics.averagePrecision(scores: [1, 2], labels: [false, false]) == nil)
        #expect(Curves.roc(scores: [1, 2], labels: [false, false]).isEmpty)
    }

    @Test func countsAtAThreshold() {
        let counts = BinaryCounts(scores: [0.2, 0.6, 0.7, 0.5, 0.9], labels: [false, true, false, true, true], threshold: 0.5)
        #expect(counts.truePositives == 2 && counts.falsePositives == 1)
        #expect(counts.falseNegatives == 1 && counts.trueNegatives == 1, "score equal to the threshold is not flagged")
        #expect(counts.precision == 2.0 / 3 && counts.recall == 2.0 / 3)
        #expect(abs(counts.f1! - 2.0 / 3) < 1e-12)
        #expect(BinaryCounts(scores: [0.1], labels: [true], threshold: 0.5).precision == nil)
    }

    @Test func curvePoints() {
        let roc = Curves.roc(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true])
        #expect(roc.map(\.falsePositiveRate) == [0, 0, 0.5, 0.5, 1])
        #expect(roc.map(\.truePositiveRate) == [0, 0.5, 0.5, 1, 1])
        let pr = Curves.precisionRecall(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true])
        #expect(pr.map(\.recall) == [0, 0.5, 0.5, 1, 1])
        #expect(pr.map(\.precision) == [1, 1, 0.5, 2.0 / 3, 0.5])
        #expect(Curves.thinned(Array(0..<1000), maximum: 11) == [0, 100, 200, 300, 400, 500, 599, 699, 799, 899, 999])
    }
}
