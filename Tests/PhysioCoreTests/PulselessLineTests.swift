import Testing
@testable import PhysioCore

/// Rule 8 of the artefact filter: an arrest on an arterial line, told from a
/// line artefact by the ECG or the capnograph.
struct PulselessLineTests {
    let filter = ArtefactFilter.standard

    /// A line from 110/66 to 24/19 at 100 s, beside an ECG and a capnograph as given (nil: not sent).
    static func arrest(seconds: Int = 400, step: Int = 1, heart: @escaping (Int) -> Float?, etco2: @escaping (Int) -> Float? = { _ in nil }) -> SampleBatch {
        TestData.series("arrest-line", seconds: stride(from: 0, to: seconds, by: step)) { t in
            var row: [Vital: Float] = t < 100 ? [.sbp: 110, .dbp: 66, .mbp: 80] : [.sbp: 24, .dbp: 19, .mbp: 21]
            row[.hr] = heart(t)
            row[.etco2] = etco2(t)
            return row
        }
    }

    /// The clean systolic pressure per row, checking that the one-row form and a cleaning from half-way agree.
    func systolic(_ series: SampleBatch) -> [Float?] {
        let clean = filter.clean(series)
        let differing = TestData.rowsWhereOneRowFormDiffers(filter, series, clean: clean)
        #expect(differing.isEmpty, "the one-row form differs at \(differing.prefix(5))")
        let half = series.count / 2
        #expect(filter.clean(series, rows: half..<series.count).values
            .elementsEqual(clean.values[(half * Vital.count)...]) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        return (0..<clean.count).map { clean.value(.sbp, row: $0) }
    }

    /// Removed from the fall for `removed` seconds, the patient's 24 from then on.
    func isKept(after removed: Int, _ pressures: [Float?]) -> Bool {
        pressures[..<100].allSatisfy { $0 == 110 } && pressures[100..<(100 + removed)].allSatisfy { $0 == nil }
            && pressures[(100 + removed)...].allSatisfy { $0 == 24 }
    }

    @Test func aFlatLineIsAnArrestAfterTenSecondsWhenTheHeartOrTheAirwaySaysSo() {
        let steady: (Int) -> Float = { 72 + Float($0 % 2) }
        // Ventricular fibrillation counted as beats: the rate jumps back and forth (erratic from its third count).
        #expect(isKept(after: 12, systolic(Self.arrest { t in t < 100 ? steady(t) : (t % 2 == 0 ? 190 : 60) })))
        // Asystole (0 /min), and a monitor that blanks a rate it cannot count.
        #expect(isKept(after: 10, systolic(Self.arrest { t in t < 100 ? steady(t) : 0 })))
        #expect(isKept(after: 10, systolic(Self.arrest { t in t < 100 ? steady(t) : nil })))
        // Pulseless electrical activity: a normal ECG, but no CO2 reaches the lungs.
        #expect(isKept(after: 10, systolic(Self.arrest(heart: steady) { t in t < 100 ? 36 : 12 })))
        // A steady ECG and capnograph: a line open to a syringe looks the same, so it waits rule 6's minute.
        #expect(isKept(after: 60, systolic(Self.arrest(heart: steady) { _ in 36 })))
        // The line alone, and an ECG that never sent a rate: nothing to tell by.
        #expect(isKept(after: 60, systolic(Self.arrest { _ in nil })))
    }

    /// The end of a case: the tube out (CO2 0) and the line pulled within a
    /// minute, the ECG steady and the oximeter still reading. Until
    /// 2026-12-07 the capnograph's fall made it an arrest at 10 s (a sixth
    /// outside audit); an oximeter that reads says the blood still flows.
    @Test func anOximeterStillReadingIsNoArrest() {
        func withOximeter(_ spo2: @escaping (Int) -> Float?, heart: @escaping (Int) -> Float?, etco2: @escaping (Int) -> Float? = { _ in nil }) -> SampleBatch {
            var series = Self.arrest(heart: heart, etco2: etco2)
            for row in 0..<series.count { if let value = spo2(Int(series.timestamps[row] / 1_000_000)) { series.set(.spo2, row: row, to: value) } }
            return series
        }
        let steady: (Int) -> Float = { 72 + Float($0 % 2) }
        #expect(isKept(after: 60, systolic(withOximeter({ _ in 98 }, heart: steady) { t in t < 90 ? 36 : 0 })),
                "before: kept after 10 s")
        #expect(isKept(after: 60, systolic(withOximeter({ _ in 98 }, heart: { t in t < 100 ? 72 : nil }))), "leads off with it")
        // An arrest blanks the oximeter within seconds: kept once it has read nothing for 10 s.
        #expect(isKept(after: 13, systolic(withOximeter({ t in t < 103 ? 98 : nil }, heart: steady) { t in t < 100 ? 36 : 12 })))
        // A probe off reading 0 is no reading of a pulse.
        #expect(isKept(after: 10, systolic(withOximeter({ t in t < 100 ? 98 : 0 }, heart: { t in t < 100 ? 72 : 0 }))))
    }

    @Test func slowRecordsTakeLongerAndLineArtefactsAreNoArrest() {
        // A record of one row every 10 s takes three readings, 20 s; one every 20 s is no line's
        // (a cuff cycles slower still): rule 6's minute, whatever the ECG.
        let sparse = systolic(Self.arrest(step: 10) { t in t < 100 ? 72 : 0 })
        #expect(sparse[10..<12].allSatisfy { $0 == nil } && sparse[12...].allSatisfy { $0 == 24 }, "\(sparse)")
        let sparser = systolic(Self.arrest(step: 20) { t in t < 100 ? 72 : 0 })
        #expect(sparser[5..<8].allSatisfy { $0 == nil } && sparser[8...].allSatisfy { $0 == 24 }, "\(sparser)")
        // A capnograph that was never above 20 (a mask's low reading) is no sign.
        #expect(isKept(after: 60, systolic(Self.arrest(heart: { _ in 72 }) { t in t < 100 ? 15 : 5 })))
        // An ECG rate sent every 15 s has no reading in 10 s without being blank.
        #expect(isKept(after: 60, systolic(Self.arrest { t in t % 15 == 0 ? 72 : nil })))
        // The ECG's rate stopped before the line fell and came back: not blank in the window.
        #expect(isKept(after: 60, systolic(Self.arrest { t in (60..<90).contains(t) ? nil : 72 })))
        // A flush (300/290) and zeroing (0/0) never make the run, whatever the heart does.
        let flushed = filter.clean(TestData.series(seconds: stride(from: 0, to: 200, by: 1)) { t in
            t < 100 ? [.sbp: 110, .dbp: 66, .hr: 72] : [.sbp: t % 20 < 10 ? 300 : 0, .dbp: t % 20 < 10 ? 290 : 0, .hr: 0]
        })
        #expect((100..<200).allSatisfy { flushed.value(.sbp, row: $0) == nil })
        // Without the rule the fibrillating arrest waits its minute: the rule is what keeps it.
        var without = filter
        without.pulselessLine.seconds = 600
        let series = Self.arrest { t in t < 100 ? 72 : (t % 2 == 0 ? 190 : 60) }
        #expect(without.clean(series).value(.sbp, row: 150) == nil && filter.clean(series).value(.sbp, row: 150) == 24)
    }

    @Test func anArrestOnALineAlarmsTenSecondsInAndJobsAgree() throws {
        let series = TestData.series("vf-on-a-line", seconds: stride(from: 0, to: 1200, by: 1)) { t in
            var row: [Vital: Float] = t < 900 ? [.sbp: 112 + Float(t % 3), .dbp: 66, .hr: 74 + Float(t % 2)]
                : [.sbp: 25, .dbp: 19, .hr: t % 2 == 0 ? 210 : 70]
            row[.spo2] = t < 900 ? 98 : nil
            return row
        }
        let samples = CaseScorer(model: DetectorTests.model).scoreCase(series)
        #expect(samples[..<900].allSatisfy { !$0.anomalous })
        // The fall's first seconds are removed (the last normal reading held); once every ECG count of the
        // last 10 s is erratic (912 s) the floor raises the breach at once, from its first rule-true row
        // (the fibrillation's first count, 210 /min, not yet erratic).
        let first = try #require(samples.firstIndex { $0.anomalous })
        #expect(first == 900 && samples[900].rules == ["hr_gt_140"])
        #expect(samples[912].source == .rule && samples[912].rules.contains("sbp_lt_80"))
        #expect(samples[900...].allSatisfy { $0.anomalous })
        let points = samples.filter(\.anomalous).map(\.point)
        let episodes = EpisodeBuilder().merge(caseID: series.caseID, existing: [], points: points).upserted
        #expect(episodes.count == 1 && episodes[0].raisedAt == 912_000_000, "raised at \(episodes.map(\.raisedAt))")
        // Live, in jobs of 7 s: the job that brings 912 s raises the rows before it, as the whole case does.
        let inJobs = DetectorTests.scoreInJobs(series, jobs: stride(from: 0, to: 1200, by: 7).map { $0..<min($0 + 7, 1200) })
        #expect(inJobs.samples.map(\.score) == samples.map(\.score))
        let raisedLater = Set(inJobs.raised)
        #expect(inJobs.samples.map { $0.anomalous || raisedLater.contains($0.timestamp) } == samples.map(\.anomalous))
        #expect(Set((900..<910).map { Int64($0) * 1_000_000 }).isSubset(of: raisedLater) && !inJobs.samples[900..<910].contains { $0.anomalous },
                "the rows of earlier jobs are raised later")
    }
}
