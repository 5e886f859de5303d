import Foundation
import Testing
@testable import PhysioCore

/// Rule 10 (`NonPulsatileFlow`): a flat trace at a plausible pressure that
/// lasts while the oximeter reads no pulse is the pump's, or a ventricular
/// assist device's, pressure; beside a reading oximeter it is a clotted line.
@Suite struct NonPulsatileFlowTests {
    let filter = ArtefactFilter.standard

    /// On bypass from 0 s: MAP 85 on a flat trace, no saturation, no ECG
    /// rate; the pump fails from 600 s to MAP 35 within a minute.
    static func bypass(oximeterReads: Bool = false) -> SampleBatch {
        TestData.series(seconds: stride(from: 0, to: 1200, by: 1)) { t in
            let mean: Float = t < 600 ? 85 : max(35, 85 - Float(t - 600) * 50 / 60)
            var row: [Vital: Float] = [.sbp: mean + 1.5, .dbp: mean - 1.5, .mbp: mean, .temp: 36.5]
            if oximeterReads { row[.spo2] = 98 }
            return row
        }
    }

    @Test func aFlatTraceThatLastsWithNoPulseAnywhereIsThePatient() {
        let clean = filter.clean(Self.bypass())
        #expect((0..<60).allSatisfy { clean.value(.mbp, row: $0) == nil }, "a minute first: zeroing and a closed line are briefer")
        // Kept from then on, but for a few seconds below SBP 40 (implausible) before rule 6's minute of hypotension keeps them.
        #expect((70..<650).allSatisfy { clean.value(.mbp, row: $0) != nil } && (670..<1200).allSatisfy { clean.value(.mbp, row: $0) != nil })
        #expect(clean.value(.mbp, row: 300) == 85 && clean.value(.mbp, row: 700) == 35)
        // Beside an oximeter that reads, a flat trace is a clotted or closed line: removed, as before.
        let clotted = filter.clean(Self.bypass(oximeterReads: true))
        #expect((0..<1200).allSatisfy { clotted.value(.mbp, row: $0) == nil || clotted.value(.mbp, row: $0)! < 40 })
        // The one-row form agrees with the series.
        let series = Self.bypass()
        #expect([30, 90, 640, 700].allSatisfy { row in
            (filter.cleanRow(series, row: row)[Vital.mbp.rawValue].isNaN) == (clean.value(.mbp, row: row) == nil)
        })
    }

    @Test func aPumpFailureOnBypassAlarmsAsAMeanFallsPast65() throws {
        let samples = CaseScorer(model: .untrained()).scoreCase(Self.bypass())
        let firstLow = try #require(samples.firstIndex { $0.timestamp >= 600_000_000 && Self.meanBelow65(at: $0.timestamp) })
        let raised = try #require(samples.firstIndex { $0.anomalous && $0.timestamp >= 600_000_000 })
        #expect(raised - firstLow <= 20, "before: \(raised - firstLow) s; the systolic's minute below 80 (51 s in the audit)")
        #expect(!samples[300].anomalous, "the pump's steady 85 is no alarm")
    }

    static func meanBelow65(at time: Int64) -> Bool {
        let t = Int(time / 1_000_000)
        return 85 - Float(t - 600) * 50 / 60 < 65
    }
}
