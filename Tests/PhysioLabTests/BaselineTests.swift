import Testing
@testable import PhysioLab
import PhysioCore

/// The baselines on small hand-made series whose answers are known.
@Suite struct BaselineTests {
    /// A 1-Hz case of `seconds` rows; each closure gives a vital's value at a second (nil = not sent).
    static func series(_ id: String = "or-1", seconds: Int, _ vitals: [Vital: (Int) -> Float?]) -> SampleBatch {
        var batch = SampleBatch(caseID: id)
        for second in 0..<seconds {
            let row = batch.appendRow(timestamp: Int64(second) * 1_000_000)
            for (vital, value) in vitals { if let v = value(second) { batch.set(vital, row: row, to: v) } }
        }
        return batch
    }

    static func scored(_ series: SampleBatch, rules: ClinicalRules = .standard) -> CaseScores {
        CaseScores(series: series, window: .all, rules: rules, filter: .standard) {
            DetectorOutput(scores: [Double](repeating: 0, count: $1.count), threshold: 1)
        }
    }

    @Test func news2BandsAtTheirEdges() {
        // Pulse: ≤40 → 3, 41–50 → 1, 51–90 → 0, 91–110 → 1, 111–130 → 2, ≥131 → 3.
        let pulse: [(Float, Int)] = [(30, 3), (40, 3), (40.5, 1), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1),
                                     (111, 2), (130, 2), (130.5, 3), (131, 3), (200, 3)]
        for (value, points) in pulse { #expect(NEWS2.pulse(value) == points, "pulse \(value)") }
        // Systolic: ≤90 → 3, 91–100 → 2, 101–110 → 1, 111–219 → 0, ≥220 → 3.
        let systolic: [(Float, Int)] = [(90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)]
        for (value, points) in systolic { #expect(NEWS2.systolic(value) == points, "SBP \(value)") }
        // SpO2 scale 1: ≤91 → 3, 92–93 → 2, 94–95 → 1, ≥96 → 0.
        let saturation: [(Float, Int)] = [(85, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]
        for (value, points) in saturation { #expect(NEWS2.saturation(value) == points, "SpO2 \(value)") }
        // Respiratory rate: ≤8 → 3, 9–11 → 1, 12–20 → 0, 21–24 → 2, ≥25 → 3.
        let breathing: [(Float, Int)] = [(8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3)]
        for (value, points) in breathing { #expect(NEWS2.respiratoryRate(value) == points, "RR \(value)") }
        // Temperature: ≤35.0 → 3, 35.1–36.0 → 1, 36.1–38.0 → 0, 38.1–39.0 → 1, ≥39.1 → 2.
        let temperature: [(Float, Int)] = [(35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1),
                                           (39.1, 2), (41, 2)]
        for (value, points) in temperature { #expect(NEWS2.temperature(value) == points, "T \(value)") }
    }

    @Test func news2AddsOnlyThePresentParameters() {
        #expect(NEWS2.score(hr: 75, sbp: 120, spo2: 98, rr: 14, temp: 37) == 0)
        #expect(NEWS2.score(hr: 135, sbp: 88, spo2: 90, rr: 26, temp: 34) == 15)
        #expect(NEWS2.score(hr: 95, sbp: nil, spo2: 93, rr: nil, temp: nil) == 3)
        #expect(NEWS2.score(hr: nil, sbp: nil, spo2: nil, rr: nil, temp: nil) == 0)
    }

    @Test func thresholdDistanceIsTheNearestLimitInUnitsOfVariability() {
        let rules = ClinicalRules.standard
        // MAP 73 is (73 − 65)/4 = 2 units from MAP < 65; HR 70 is (70 − 40)/3 = 10 from HR < 40.
        let values: [Vital: Float] = [.hr: 70, .mbp: 73, .spo2: 97]
        #expect(ThresholdDistance.score(rules: rules) { values[$0] } == -2)
        // SpO2 91 is 1 unit from SpO2 < 90: now the nearest.
        let hypoxic: [Vital: Float] = [.hr: 70, .mbp: 73, .spo2: 91]
        #expect(ThresholdDistance.score(rules: rules) { hypoxic[$0] } == -1)
        // Past a limit the margin is negative: HR 150 is 10/3 units over HR > 140.
        let tachycardic: [Vital: Float] = [.hr: 150]
        #expect(abs(ThresholdDistance.score(rules: rules) { tachycardic[$0] } - 10.0 / 3) < 1e-9)
        #expect(ThresholdDistance.score(rules: rules) { _ in nil } == -.infinity)
    }

    @Test func baselinesHoldACuffReadingAsTheDetectorDoes() throws {
        // MAP sent once at 10 s (cuff), HR every second: held 6 minutes (`VitalHold.standard`), then absent.
        let batch = Self.series(seconds: 700, [.mbp: { $0 == 10 ? 70 : nil }, .hr: { _ in 80 }])
        let map = try #require(Self.scored(batch).reference?.baselines[.currentMAP])
        #expect(map[9] == -.infinity && map[10] == -70 && map[370] == -70 && map[371] == -.infinity)
    }

    @Test func currentMAPIsNegatedAndEstimatedFromTheCuffWhenNotSent() throws {
        // MAP falls 90 → 60 over 300 s; then only SBP/DBP 90/60 (MAP estimated (90 + 120)/3 = 70).
        let batch = Self.series(seconds: 400, [
            .mbp: { $0 < 300 ? 90 - Float($0) / 10 : nil },
            .sbp: { $0 >= 300 ? 90 : nil }, .dbp: { $0 >= 300 ? 60 : nil },
        ])
        let reference = try #require(Self.scored(batch).reference)
        let map = try #require(reference.baselines[.currentMAP])
        #expect(map[0] == -90)
        #expect(map[250] == -65)
        #expect(map[350] == -70)
        // A case without any MAP ranks last.
        let none = try #require(Self.scored(Self.series(seconds: 5, [.hr: { _ in 80 }])).reference)
        #expect(none.baselines[.currentMAP]! == [Double](repeating: -.infinity, count: 5))
    }

    @Test func baselinesScoreCleanValuesNotArtefacts() throws {
        // A flush of the arterial line (300/290, MAP 295) at 100–109 s, then normal 120/70 (MAP 87).
        let flush = 100..<110
        let batch = Self.series(seconds: 200, [
            .sbp: { flush.contains($0) ? 300 : 120 }, .dbp: { flush.contains($0) ? 290 : 70 },
            .mbp: { flush.contains($0) ? 295 : 87 }, .hr: { _ in 70 }, .spo2: { _ in 98 },
        ])
        let scores = Self.scored(batch)
        let reference = try #require(scores.reference)
        #expect(!scores.ruleTrue.contains(true))
        // During the flush and its 10-s settling the pressures are removed: the last clean MAP (87) is held.
        #expect(reference.baselines[.currentMAP]![105] == -87)
        #expect(reference.baselines[.news2]!.allSatisfy { $0 == 0 })  // HR 70, SBP 120, SpO2 98: no points
        #expect(reference.baselines[.rules]!.allSatisfy { $0 == 0 })
        #expect(reference.vitalsSent == [.hr, .sbp, .dbp, .mbp, .spo2])
    }

    @Test func plainRulesAndThresholdDistanceOnABreach() throws {
        // SpO2 97 → 85 linearly over 120 s: below 90 from 71 s on.
        let batch = Self.series(seconds: 120, [.spo2: { 97 - Float($0) / 10 }, .hr: { _ in 75 }])
        let reference = try #require(Self.scored(batch).reference)
        let rules = reference.baselines[.rules]!, distance = reference.baselines[.thresholdDistance]!
        #expect(rules[70] == 0 && rules[71] == 1)
        // Distance rises as SpO2 falls, crossing 0 at the limit (SpO2 90 at 70 s).
        #expect(zip(distance, distance.dropFirst()).allSatisfy { $0 < $1 })
        #expect(abs(distance[70]) < 1e-5)
        #expect(Evaluation(cases: [Self.scored(batch)]).comparison.task(.seedProtocol)!.results
            .first { $0.scorer.id == "threshold_distance" }!.rocAUC.value == 1)
    }
}
