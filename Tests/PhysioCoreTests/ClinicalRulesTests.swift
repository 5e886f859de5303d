import Foundation
import Testing
@testable import PhysioCore

@Suite struct ClinicalRulesTests {
    let rules = ClinicalRules.standard

    @Test func defaultIdsAreStable() {
        #expect(rules.ids == ["hr_gt_140", "hr_lt_40", "spo2_lt_90", "sbp_lt_80", "sbp_gt_180", "mbp_lt_65",
                              "rr_le_8", "temp_le_35", "temp_ge_39_1"])
        #expect(ClinicalRules.extended.ids.last == "rr_ge_25")
    }

    /// Each rule fires exactly as its comparison says at its limit, one step inside and one step outside.
    @Test(arguments: ClinicalRules.extended.rules)
    func ruleFiresExactlyAtItsBoundary(rule: ClinicalRule) {
        let inclusive = rule.comparison == .greaterOrEqual || rule.comparison == .lessOrEqual
        let upward = rule.comparison == .greaterThan || rule.comparison == .greaterOrEqual
        let step: Float = 0.1
        #expect(rule.isTrue(rule.limit) == inclusive, "\(rule.id) at its limit")
        #expect(rule.isTrue(rule.limit + (upward ? step : -step)), "\(rule.id) just beyond")
        #expect(!rule.isTrue(rule.limit + (upward ? -step : step)), "\(rule.id) just inside normal")
        #expect(!rule.isTrue(.nan), "a missing value never fires")
    }

    @Test func firedListsRulesOnCleanValues() {
        var series = SampleBatch(caseID: "x")
        let row = series.appendRow(timestamp: 0)
        series.set(.hr, row: row, to: 141)
        series.set(.sbp, row: row, to: 75)
        series.set(.dbp, row: row, to: 40)
        series.set(.spo2, row: row, to: 90)
        // MAP is estimated: (75 + 80)/3 = 51.7 < 65.
        #expect(rules.fired(in: series, row: 0) == ["hr_gt_140", "sbp_lt_80", "mbp_lt_65"])
        let artefact = series.appendRow(timestamp: 20_000_000)
        series.set(.sbp, row: artefact, to: 0)
        series.set(.dbp, row: artefact, to: 0)
        series.set(.hr, row: artefact, to: 0)
        #expect(rules.fired(in: series, row: artefact).isEmpty, "a zeroed line and HR 0 are artefacts, not alarms")
        let clean = ArtefactFilter.standard.clean(series)
        #expect(rules.anyFired(inClean: clean, row: 0))
        #expect(!rules.anyFired(inClean: clean, row: 1))
        #expect(rules.labels(for: series) == [true, false])
        #expect(rules.fired(inClean: clean, row: 0) == rules.fired(in: series, row: 0))
    }

    @Test func ruleSetRoundTripsThroughJSON() throws {
        let custom = ClinicalRules(rules: [ClinicalRule(.etco2, .lessThan, 25, source: "local protocol")])
        let decoded = try JSONDecoder().decode(ClinicalRules.self, from: JSONEncoder().encode(custom))
        #expect(decoded == custom)
        #expect(decoded.ids == ["etco2_lt_25"])
    }
}
