import Foundation
import Testing
@testable import PhysioCore

/// An underdamped (ringing) arterial line reads the diastolic low and the
/// systolic high while the monitor's mean stays true. Until 2026-12-07 a
/// diastolic below 20 removed the whole triple as a line artefact, so a
/// hypotension on the mean lost its alarm once the last clean mean was no
/// longer held (6 min): a ninth outside audit, the patient's own rhythm and
/// variability.
@Suite struct RingingLineTests {
    let filter = ArtefactFilter.standard

    func cleaned(_ values: [Vital: Float]) -> [Float] {
        var row = [Float](repeating: .nan, count: Vital.count)
        for (vital, value) in values { row[vital.rawValue] = value }
        filter.removeArtefacts(&row)
        return row
    }

    @Test func aDiastolicBelowItsRangeBesideATrueMeanGoesAlone() {
        let ringing = cleaned([.sbp: 112, .dbp: 15, .mbp: 49])
        #expect(ringing[Vital.sbp.rawValue] == 112 && ringing[Vital.mbp.rawValue] == 49 && ringing[Vital.dbp.rawValue].isNaN)
        #expect(cleaned([.sbp: 112, .dbp: 0, .mbp: 40])[Vital.mbp.rawValue] == 40, "0 is the range's edge of a pulse")
        // Still the whole line: below 0 (not in a patient), no mean of the monitor's own, a mean outside the pair, a flat trace.
        for values: [Vital: Float] in [[.sbp: 110, .dbp: -5, .mbp: 40], [.sbp: 112, .dbp: 15], [.sbp: 112, .dbp: 15, .mbp: 10],
                                       [.sbp: 112, .dbp: 15, .mbp: 120], [.sbp: 18, .dbp: 15, .mbp: 16], [.sbp: 35, .dbp: 10, .mbp: 25]] {
            let row = cleaned(values)
            #expect(row[Vital.sbp.rawValue].isNaN && row[Vital.mbp.rawValue].isNaN, "\(values) is an artefact")
        }
    }

    @Test func aHypotensionOnARingingLineStaysAlarmedPastThePressuresHold() {
        // MAP 85 falling to 50 over 2 minutes from 300 s and staying there for 15 minutes; DBP reads 15 throughout.
        let series = TestData.series(seconds: stride(from: 0, to: 1500, by: 1)) { t in
            let mean: Float = t < 300 ? 85 : max(50, 85 - Float(t - 300) * 35 / 120)
            return [.hr: 80, .spo2: 98, .sbp: mean + 62, .dbp: 15, .mbp: mean]
        }
        let samples = CaseScorer(model: .untrained()).scoreCase(series)
        let breach = samples.indices.filter { series.value(.mbp, row: $0)! < 65 }
        #expect(breach.count > 1000)
        #expect(breach.allSatisfy { samples[$0].anomalous }, "before: silent from 6 minutes after the last clean mean")
    }
}
