import Testing
@testable import PhysioCore

/// A case's own alarm limits (`CaseLimits`): the rules, the safety floor,
/// the breach risk and the rule alarms follow the limit the team set.
@Suite struct CaseLimitsTests {
    /// Calm at MAP 85, then MAP `low` (SBP 95, DBP 45 around it) from 300 s to 1200 s.
    static func pressure(low: Float) -> SampleBatch {
        TestData.series("limits", seconds: stride(from: 0, to: 1500, by: 1)) { t in
            let held = (300..<1200).contains(t)
            return [.hr: 80, .sbp: held ? 95 : 120, .dbp: held ? 45 : 65, .mbp: held ? low : 85, .spo2: 97]
        }
    }

    static func episodes(_ series: SampleBatch, limits: CaseLimits) -> [Episode] {
        let samples = CaseScorer(model: limits.applied(to: DetectorTests.model)).scoreCase(series)
        return EpisodeBuilder().merge(caseID: series.caseID, existing: [], points: samples.filter(\.anomalous).map(\.point)).upserted
    }

    @Test func aMovedLimitRenamesItsRuleAndKeepsTheOthers() {
        let rules = CaseLimits(["mbp_lt_65": 50, "hr_gt_140": 180]).applied(to: .standard)
        #expect(rules.ids == ["hr_gt_180", "hr_lt_40", "spo2_lt_90", "sbp_lt_80", "sbp_gt_180", "mbp_lt_50", "rr_le_8", "temp_le_35", "temp_ge_39_1"])
        #expect(rules.rules[5].isTrue(49.9) && !rules.rules[5].isTrue(55))
        #expect(CaseLimits(["temp_ge_39_1": 38.5]).applied(to: .standard).ids.last == "temp_ge_38_5")
        #expect(CaseLimits().applied(to: .standard) == .standard)
    }

    @Test func aDeeperTierAboveALoweredLimitIsLeftOut() {
        let lowered = watching(["mbp_lt_65": 50]).policy.escalations.map(\.id)
        #expect(lowered == ["spo2_lt_80"], "MAP < 55 would alarm the planned pressure: \(lowered)")
        let raised = watching(["mbp_lt_65": 75, "spo2_lt_90": 85]).policy.escalations.map(\.id)
        #expect(raised == ["spo2_lt_80", "mbp_lt_55"], "both still inside their rule: \(raised)")
        #expect(watching(["spo2_lt_90": 75]).policy.escalations.map(\.id) == ["mbp_lt_55"])
    }

    @Test func limitsOutsideTheirRangeOrOfNoDefaultRuleAreRefused() {
        #expect(CaseLimits.refusal(rule: "mbp_lt_65", limit: 50) == nil)
        #expect(CaseLimits.refusal(rule: "mbp_lt_65", limit: 20)?.contains("from 40 to 100") == true)
        #expect(CaseLimits.refusal(rule: "mbp_lt_65", limit: .nan) != nil)
        #expect(CaseLimits.refusal(rule: "temp_le_35", limit: 36.5) == nil)
        #expect(CaseLimits.refusal(rule: "etco2_lt_30", limit: 30)?.contains("not a default rule") == true)
        // Every range keeps its rule able to fire on a plausible reading.
        for (id, range) in CaseLimits.allowedRanges {
            let rule = ClinicalRules.standard.rules.first { $0.id == id }!
            let plausible = ArtefactFilter.standard.range(of: rule.vital)
            #expect(plausible.contains(range.lowerBound) && plausible.contains(range.upperBound), "\(id)")
            #expect(range.contains(rule.limit), "\(id): the default lies in its own range")
        }
    }

    /// A planned MAP of 58: with the default limits a sustained breach and an
    /// alarm; with the team's MAP < 50 (and SBP < 70) neither rule is true
    /// and no alarm is raised, yet a fall below 50 alarms as MAP < 50.
    @Test func aPlannedHypotensionAlarmsOnlyBelowTheTeamsLimit() throws {
        let planned = CaseLimits(["mbp_lt_65": 50, "sbp_lt_80": 70])
        let byDefault = Self.episodes(Self.pressure(low: 58), limits: CaseLimits())
        #expect(byDefault.contains { $0.rules.contains("mbp_lt_65") && $0.raisedAt != nil }, "\(byDefault)")
        let quiet = Self.episodes(Self.pressure(low: 58), limits: planned)
        #expect(quiet.allSatisfy { $0.rules.isEmpty && $0.raisedAlarms.isEmpty }, "no rule of the case is true at MAP 58: \(quiet)")
        let below = Self.episodes(Self.pressure(low: 47), limits: planned)
        let episode = try #require(below.first { $0.rules.contains("mbp_lt_50") }, "\(below)")
        #expect(episode.raisedAlarms.map(\.rule).contains("mbp_lt_50"))
        #expect(!episode.rules.contains("mbp_lt_65") && !episode.rules.contains("mbp_lt_55"))
    }

    /// A raised limit: a patient whose usual pressure is high, MAP 70 for 15
    /// minutes, is a breach of the team's MAP < 75 and none of the default's.
    @Test func aRaisedLimitAlarmsWhereTheDefaultIsSilent() throws {
        let byDefault = Self.episodes(Self.pressure(low: 70), limits: CaseLimits())
        #expect(byDefault.allSatisfy { !$0.rules.contains("mbp_lt_65") })
        let raised = Self.episodes(Self.pressure(low: 70), limits: CaseLimits(["mbp_lt_65": 75]))
        let episode = try #require(raised.first { $0.rules.contains("mbp_lt_75") }, "\(raised)")
        #expect(episode.raisedAlarms.contains { $0.rule == "mbp_lt_75" })
    }
}

/// A change of limits does not re-judge rows scored before it (`LimitChange`).
@Suite struct LimitChangeTests {
    /// MAP 70 for 18 minutes: no breach of MAP < 65, one of MAP < 75.
    static let steady = CaseLimitsTests.pressure(low: 70)

    /// Scores rows from `first` on, as a worker's job after the limits changed at row `first`.
    static func job(_ series: SampleBatch, first: Int, change: LimitChange?) -> CaseScoring {
        let raised = CaseLimits(["mbp_lt_65": 75])
        let scorer = CaseScorer(model: raised.applied(to: DetectorTests.model), limitChange: change)
        let earlier = CaseScorer(model: DetectorTests.model).score(series, rows: 0..<first, minutes: MinuteMeans(series)).samples
        return scorer.score(series, rows: first..<series.count, minutes: MinuteMeans(series),
                            earlier: earlier.map { ($0.timestamp, $0.score) })
    }

    @Test func aRaisedLimitJudgesOnlyTheRowsScoredAfterIt() throws {
        let first = 900   // MAP 70 since 300 s
        let change = LimitChange.between(watching([:]), watching(["mbp_lt_65": 75]), scoredThrough: Self.steady.timestamps[first - 1])
        #expect(change?.rules == ["mbp_lt_75"], "\(String(describing: change))")
        let without = Self.job(Self.steady, first: first, change: nil)
        #expect(!without.backdated.isEmpty, "without the boundary the floor raises rows scored under MAP < 65")
        let with = Self.job(Self.steady, first: first, change: change)
        #expect(with.backdated.isEmpty, "\(with.backdated.count) stored rows raised")
        // The new rule's own alarm: raised once MAP < 75 has held 15 s from the first row judged by it.
        let marks = with.samples.flatMap(\.ruleMarks).filter { $0.rule == "mbp_lt_75" }
        let raised = try #require(marks.compactMap(\.raisedAt).min(), "MAP 70 under MAP < 75 alarms: \(with.samples.prefix(3))")
        #expect(raised >= Self.steady.timestamps[first] + 15_000_000, "raised once held 15 s under the new limit: \(raised)")
        let withoutMarks = without.samples.flatMap(\.ruleMarks).filter { $0.rule == "mbp_lt_75" }
        #expect(withoutMarks.compactMap(\.raisedAt).min().map { $0 < Self.steady.timestamps[first] } == true,
                "without the boundary it is dated before the change")
        #expect(with.samples.first?.rules == ["mbp_lt_75"], "the job's own rows are judged by it")
    }

    @Test func aChangeThatBringsInNoRuleHasNoBoundary() {
        // Lowering a limit brings in its new rule; the tier it leaves out is not new.
        #expect(LimitChange.between(watching([:]), watching(["mbp_lt_65": 50]), scoredThrough: 0)?.rules
                == ["mbp_lt_50"])
        #expect(LimitChange.between(watching(["mbp_lt_65": 50]), watching([:]), scoredThrough: 0)?.rules
                == ["mbp_lt_65", "mbp_lt_55"])
        #expect(LimitChange.between(watching(["hr_gt_140": 180]), watching(["hr_gt_140": 180]), scoredThrough: 0) == nil)
    }
}

/// The detector watching `limits` (`CaseLimits.applied(to:)`).
private func watching(_ limits: [String: Float]) -> AnomalyModel { CaseLimits(limits).applied(to: DetectorTests.model) }
