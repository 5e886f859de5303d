import Testing
@testable import PhysioLab
import PhysioCore

/// `physio evaluate`'s three tasks on one hand-made case whose answers are
/// known: 20 min at 1 Hz, a 100-s breach from 600 s, and a model whose score
/// rises at 480 s (two minutes before the breach) and stays up through it.
@Suite struct EvaluationTests {
    static let seconds = 1_200
    static let timestamps = (0..<seconds).map { Int64($0) * 1_000_000 }
    static let ruleTrue = (0..<seconds).map { (600..<700).contains($0) }

    static func scores(alarmFrom: Int, alarmUntil: Int = 700, threshold: Double = 0.6) -> CaseScores {
        let scores = (0..<seconds).map { second -> Double in
            if (600..<700).contains(second) { return 0.9 }
            if (alarmFrom..<alarmUntil).contains(second) { return 0.7 }
            return 0.4 + Double(second % 7) / 100  // calm noise well under the threshold
        }
        return CaseScores(caseID: "or-1", timestamps: timestamps, ruleTrue: ruleTrue, evaluated: 0..<seconds,
                          scores: scores, threshold: threshold)
    }

    @Test func seedProtocolRanksTheBreachFirst() throws {
        let evaluation = Evaluation(cases: [Self.scores(alarmFrom: 480)])
        #expect(evaluation.seed.samples == Self.seconds)
        #expect(evaluation.seed.positives == 100)
        #expect(evaluation.seed.rocAUC == 1)
        // Flagged: 480–699 (220 samples), of which the 100 breach samples are positive.
        #expect(evaluation.seed.recall == 1)
        #expect(abs(try #require(evaluation.seed.precision) - 100.0 / 220) < 1e-12)
    }

    @Test func earlyWarningLabelsTheFiveMinutesBeforeAnOnset() throws {
        let scores = Self.scores(alarmFrom: 480)
        let labels = Evaluation.earlyWarningLabels(scores)
        #expect(labels[299] == false)
        #expect(labels[300] == true)   // the onset at 600 s is within (300, 600]
        #expect(labels[599] == true)
        #expect(labels[650] == nil)    // in alarm: not an early-warning sample
        #expect(labels[899] == false)  // its whole horizon (to 1199 s) was seen
        #expect(labels[900] == nil)    // the next five minutes were not observed
        let evaluation = Evaluation(cases: [scores])
        let result = evaluation.earlyWarning
        #expect(result.onsets == 1)
        #expect(result.leads == [120])
        #expect(evaluation.cases[0].earlyWarning?.onsetLeads == [120])
        // Scores 480–599 are above every negative's, 300–479 are not: AUROC below 1.
        let auroc = try #require(result.metrics?.rocAUC)
        #expect(auroc > 0.6 && auroc < 1)
    }

    @Test func aWarningThatComesTooLateIsNotALead() {
        let evaluation = Evaluation(cases: [Self.scores(alarmFrom: 600)])
        let result = evaluation.earlyWarning
        #expect(result.onsets == 1)
        #expect(result.leads.isEmpty)
        #expect(evaluation.cases[0].earlyWarning?.onsetLeads == [nil], "the onset is counted, unwarned")
    }

    @Test func alarmBurdenCountsMergedEpisodes() {
        // The model's alarm flickers off for 10 s at 500 s: within the 30-s gap, still one episode.
        var scores = Self.scores(alarmFrom: 480).scores
        for second in 500..<510 { scores[second] = 0.4 }
        let flicker = CaseScores(caseID: "or-1", timestamps: Self.timestamps, ruleTrue: Self.ruleTrue, evaluated: 0..<Self.seconds,
                                 scores: scores, threshold: 0.6)
        let burden = Evaluation(cases: [flicker]).burden
        #expect(burden.ruleEpisodes == 1)
        #expect(burden.modelEpisodes == 1)
        #expect(burden.caught == 1)
        #expect(burden.flaggedFirst == 1)
        #expect(burden.sustained == 1)
        #expect(burden.sustainedCaught == 1)
        #expect(abs(burden.hours - Double(Self.seconds - 1) / 3600) < 1e-3)
    }

    @Test func anAlarmDuringANearMissIsAFalseAlarmNotADetection() throws {
        // The model alarms from 480 s; a deterioration at 560–700 s and a near miss at 300–500 s.
        let events = ["or-1": [TrueEvent(caseID: "or-1", kind: "haemorrhage", onset: 560_000_000, end: 700_000_000),
                               TrueEvent(caseID: "or-1", kind: "haemorrhage_near_miss", onset: 300_000_000, end: 500_000_000,
                                         shouldAlarm: false)]]
        let summary = try #require(Evaluation(cases: [Self.scores(alarmFrom: 480)], events: events).events)
        #expect(summary.events == 1 && summary.modelDetected == 1)
        #expect(summary.falseAlarmCandidates == 1 && summary.falselyAlarmed == 1)
        #expect(summary.byKind.map(\.kind) == ["haemorrhage", "haemorrhage_near_miss"])
    }

    @Test func sparseChartsHaveNoEarlyWarning() {
        let hourly = (0..<48).map { Int64($0) * 3_600_000_000 }
        let scores = CaseScores(caseID: "icu-1", timestamps: hourly, ruleTrue: (0..<48).map { $0 == 30 },
                                evaluated: 0..<48, scores: (0..<48).map { $0 == 30 ? 0.9 : 0.3 }, threshold: 0.6)
        let evaluation = Evaluation(cases: [scores])
        #expect(!evaluation.earlyWarning.isApplicable)
        #expect(evaluation.earlyWarning.excludedCases == 1)
        #expect(evaluation.seed.rocAUC == 1)
    }

    @Test func alarmsAreTheDetectorsFlagsNotItsScoresOverAThreshold() throws {
        // The scores rank the breach first, but the detector's own policy alarmed only at 650–699.
        let base = Self.scores(alarmFrom: 480)
        let alarms = (0..<Self.seconds).map { (650..<700).contains($0) }
        let scores = CaseScores(caseID: "or-1", timestamps: Self.timestamps, ruleTrue: Self.ruleTrue, evaluated: 0..<Self.seconds,
                                detector: DetectorOutput(scores: base.scores, alarms: alarms))
        let evaluation = Evaluation(cases: [scores])
        #expect(evaluation.seed.rocAUC == 1)
        #expect(evaluation.seed.precision == 1)
        #expect(abs(try #require(evaluation.seed.recall) - 0.5) < 1e-12)
        #expect(evaluation.earlyWarning.leads.isEmpty)  // no alarm before the onset
        #expect(evaluation.burden.modelEpisodes == 1)
        #expect(evaluation.burden.flaggedFirst == 0)
    }
}
