import Foundation
import Testing
@testable import PhysioCore

/// Rule 7 (`SustainedExtreme`) and the rules that decide what an extreme is:
/// a value past the plausible range that lasts is the patient, unless a
/// device explains it (leads off beside a beating line, a probe warming).
@Suite struct SustainedExtremeTests {
    let filter = ArtefactFilter.standard

    @Test func anExtremeThatPersistsIsThePatientNotAnArtefact() {
        // Asystole, apnoea and a profound desaturation from 60 s on; a 5-s cautery zero at 20 s; a flat unconnected line throughout.
        let series = TestData.series(seconds: stride(from: 0, to: 150, by: 1)) { t in
            var row: [Vital: Float] = [.hr: t >= 60 ? 0 : (20..<25).contains(t) ? 0 : 72, .rr: t >= 60 ? 0 : 12,
                                       .spo2: t >= 60 ? 40 : 97, .sbp: 2, .dbp: 1]
            if t >= 100 { row[.rr] = nil }   // capnograph silent: held, not restored
            return row
        }
        let clean = filter.clean(series)
        func value(_ vital: Vital, _ t: Int) -> Float { clean.values[t * Vital.count + vital.rawValue] }
        #expect((20..<25).allSatisfy { value(.hr, $0).isNaN }, "a zero for 5 s is the ECG, not the heart")
        #expect((60..<80).allSatisfy { value(.hr, $0).isNaN && value(.rr, $0).isNaN && value(.spo2, $0).isNaN })
        #expect((80..<150).allSatisfy { value(.hr, $0) == 0 && value(.spo2, $0) == 40 })
        #expect((80..<100).allSatisfy { value(.rr, $0) == 0 } && (100..<150).allSatisfy { value(.rr, $0).isNaN })
        #expect((0..<150).allSatisfy { value(.sbp, $0).isNaN && value(.mbp, $0).isNaN }, "pressures near 0 stay an unconnected line")
        // The one-row form and a cleaning that starts inside the run agree.
        #expect((0..<150).allSatisfy { row in
            zip(filter.cleanRow(series, row: row), clean.values[(row * Vital.count)..<((row + 1) * Vital.count)]).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        })
        let tail = filter.clean(series, rows: 90..<150)
        #expect(tail.values.elementsEqual(clean.values[(90 * Vital.count)...]) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        // Readings further apart than 90 s never make a run: an ICU chart's hourly zeros stay charting errors.
        let hourly = TestData.series(seconds: stride(from: 0, to: 5 * 3600, by: 3600)) { _ in [.hr: 0, .rr: 0] }
        #expect(filter.clean(hourly).values.allSatisfy { $0.isNaN })
        // A record of one row a minute, each a few seconds late: SpO2 40 % from minute 3 is kept from its second reading.
        let record = TestData.series(seconds: stride(from: 0, to: 600, by: 60).map { $0 + $0 / 60 * 7 }) { t in
            [.spo2: t >= 180 ? 40 : 97, .hr: 80]
        }
        let kept = filter.clean(record)
        #expect((0..<kept.count).map { kept.value(.spo2, row: $0) } == [97, 97, 97, nil, 40, 40, 40, 40, 40, 40])
        #expect((0..<record.count).allSatisfy { row in
            filter.cleanRow(record, row: row)[Vital.spo2.rawValue].isNaN == (kept.value(.spo2, row: row) == nil)
        })
    }

    /// The end of a case: ECG leads off (a rate of 0) beside an arterial line
    /// that still beats, and an oximeter probe off reading 0 beside a steady
    /// ECG. Until 2026-12-07 both were kept after 20 s, as asystole and a
    /// profound desaturation (a sixth outside audit); an asystole's line
    /// falls flat, and no saturation reads 0.
    @Test func leadsOffBesideABeatingLineAndAProbeOffAreNoExtremes() {
        let series = TestData.series(seconds: stride(from: 0, to: 200, by: 1)) { t in
            var row: [Vital: Float] = [.hr: t >= 60 ? 0 : 72, .spo2: t >= 60 ? 0 : 98, .sbp: 120, .dbp: 70, .mbp: 87]
            if t >= 120 { row[.sbp] = 20; row[.dbp] = 15; row[.mbp] = 17 }   // then the line falls flat: asystole
            return row
        }
        let clean = filter.clean(series)
        func value(_ vital: Vital, _ t: Int) -> Float { clean.values[t * Vital.count + vital.rawValue] }
        #expect((60..<130).allSatisfy { value(.hr, $0).isNaN }, "leads off while the line beats, and 10 s after")
        #expect((140..<200).allSatisfy { value(.hr, $0) == 0 }, "kept once the line has been flat for 10 s")
        #expect((60..<200).allSatisfy { value(.spo2, $0).isNaN }, "a probe off reads 0: never a saturation")
        #expect((0..<200).allSatisfy { row in
            zip(filter.cleanRow(series, row: row), clean.values[(row * Vital.count)..<((row + 1) * Vital.count)]).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        })
    }

    /// A probe placed at 600 s reads the room and warms to the core (25 →
    /// 36.5 °C, a minute's time constant): until 2026-12-07 its minutes below
    /// 35 °C were a hypothermia the floor alarmed (a sixth outside audit).
    /// A patient cooling, cold and steady, or rewarmed at forced air's pace is kept.
    @Test func aTemperatureProbeWarmingIsNotThePatient() {
        func probe(step: Int) -> SampleBatch {
            TestData.series(seconds: stride(from: 0, to: 1500, by: step)) { t in
                var row: [Vital: Float] = [.hr: 72]
                if t >= 600 { row[.temp] = ((36.5 - 11.5 * Float(exp(-Double(t - 600) / 60))) * 10).rounded() / 10 }
                return row
            }
        }
        for step in [1, 15, 60] {
            let series = probe(step: step), clean = filter.clean(series)
            let kept = (0..<clean.count).compactMap { clean.value(.temp, row: $0) }
            #expect(kept.filter { $0 <= 35 }.count <= 3, "at most the probe's first readings, rows every \(step) s: \(kept.prefix(8))")
            let ends = filter.holdEnds(series, from: 0, clean: clean, keptAlone: [Bool](repeating: false, count: clean.count))
            let firstRemoved = (0..<clean.count).first { clean.value(.temp, row: $0) == nil && !series.values[$0 * Vital.count + Vital.temp.rawValue].isNaN }
            #expect(firstRemoved.map { ends[$0 * Vital.count + Vital.temp.rawValue] } == true, "its first readings are not held through the warming")
            #expect((0..<series.count).allSatisfy { row in
                filter.cleanRow(series, row: row)[Vital.temp.rawValue].isNaN == (clean.value(.temp, row: row) == nil)
            })
        }
        // Cooling 36.5 → 34.5 over 20 min, then steady, then forced air (+0.1 °C a minute): every reading kept.
        let patient = TestData.series(seconds: stride(from: 0, to: 3600, by: 5)) { t in
            let temp = t < 1200 ? 36.5 - 2 * Float(t) / 1200 : t < 2400 ? 34.5 : 34.5 + 0.1 * Float(t - 2400) / 60
            return [.temp: (temp * 10).rounded() / 10]
        }
        #expect(filter.clean(patient).values.enumerated().allSatisfy { index, value in
            index % Vital.count != Vital.temp.rawValue || !value.isNaN
        })
    }

    /// An HR above its range that lasts 20 s is a tachyarrhythmia, kept as
    /// asystole is; cautery's seconds of 300 stay noise, readings swinging
    /// between 0 and 300 make no run on either side, two readings with the
    /// monitor silent between them make none above it, and SpO2 or RR above
    /// their ranges are never kept (only HR is in `above`).
    @Test func aHeartRatePastTheRangeThatLastsIsKept() {
        let series = TestData.series(seconds: stride(from: 0, to: 230, by: 1)) { t in
            let hr: Float? = (10..<14).contains(t) ? 300 : (40..<130).contains(t) ? 260 : (150..<190).contains(t) ? (t % 2 == 0 ? 0 : 300)
                : t == 195 || t == 215 ? 290 : (196..<215).contains(t) ? nil : 80
            var row: [Vital: Float] = [.rr: (40..<130).contains(t) ? 90 : 12, .spo2: 97]
            row[.hr] = hr
            return row
        }
        let clean = filter.clean(series)
        func value(_ t: Int) -> Float? { clean.value(.hr, row: t) }
        #expect((10..<14).allSatisfy { value($0) == nil }, "4 s of cautery noise")
        #expect((40..<60).allSatisfy { value($0) == nil } && (60..<130).allSatisfy { value($0) == 260 }, "kept from its 20th second")
        #expect((150..<190).allSatisfy { value($0) == nil }, "0 and 300 in turn: no run")
        #expect(value(215) == nil, "two readings of 290, 20 s apart with nothing between: no run")
        #expect((40..<130).allSatisfy { clean.value(.rr, row: $0) == nil }, "RR 90 is not kept")
        #expect(TestData.rowsWhereOneRowFormDiffers(filter, series, clean: clean).isEmpty, "the one-row form agrees")
        // A model file written before `above` existed reads it as the standard's.
        let old = try? JSONDecoder().decode(SustainedExtreme.self, from: Data(#"{"vitals": ["hr"], "seconds": 20, "maximum_gap_seconds": 90}"#.utf8))
        #expect(old?.above == [.hr])
    }

    /// Diathermy on the ECG: readings that jump 20 /min or more and turn
    /// back twice within 10 s are removed from the second turn on, and the
    /// hold ends there, so the burst reads as missing, not as its first
    /// readings held. A rate that moves by a few /min a second (atrial
    /// fibrillation), one step (an arrhythmia's onset) or one spike are the heart.
    @Test func aHeartRateThatZigzagsIsNotTheHeart() {
        let burst: [Float] = [180, 230, 165, 240, 150, 210, 175, 255, 160, 225]
        let series = TestData.series(seconds: stride(from: 0, to: 240, by: 1)) { t in
            let hr: Float
            switch t {
            case 20..<45: hr = burst[(t - 20) % burst.count]
            case 61: hr = 130                                               // one spike
            case 100..<160: hr = 150 + [0, 6, -4, 8, -6, 3, -8, 5][t % 8]   // AF: a few /min a second
            case 180...: hr = 185                                           // SVT: one step
            default: hr = 75
            }
            return [.hr: hr, .spo2: 97]
        }
        let clean = filter.clean(series)
        func value(_ t: Int) -> Float? { clean.value(.hr, row: t) }
        #expect(value(20) == 180 && value(21) == 230 && value(22) == 165, "before the second turn: kept")
        #expect((23..<45).allSatisfy { value($0) == nil }, "\((20..<46).map { value($0) ?? -1 })")
        #expect(value(45) == nil && value(46) == 75, "the jump back is the burst's; the next steady reading is the heart")
        #expect(value(61) == 130 && value(62) == 75, "one spike")
        #expect((100..<160).allSatisfy { value($0) != nil }, "atrial fibrillation")
        #expect((180..<240).allSatisfy { value($0) == 185 }, "SVT")
        let held = filter.holdEnds(series, from: 0, clean: clean, keptAlone: [Bool](repeating: false, count: clean.count))
        let hold = VitalHold.standard.heldSeries(clean, ends: held)
        #expect((23..<45).allSatisfy { hold.value(.hr, row: $0) == nil }, "not held through the burst")
        #expect(VitalHold.standard.heldSeries(clean).value(.hr, row: 30) == 165, "(without the ends, 165 would be)")
        #expect(TestData.rowsWhereOneRowFormDiffers(filter, series, clean: clean).isEmpty, "the one-row form agrees")
    }

    /// A fibrillation counted as beats zigzags as diathermy does; the oximeter
    /// tells them apart. Where it read every second and then nothing for 10 s,
    /// the zigzag is the heart and is kept, for two minutes of loss; beside an
    /// oximeter still reading, one already off for a minute and a half before
    /// the zigzag, or one that read only once before, it is diathermy and removed.
    @Test func aZigzagWhileTheOximeterLosesItsPulseIsAFibrillation() {
        let count: [Float] = [28, 190, 12, 240, 35, 150, 0, 275, 20, 210]
        func zigzag(_ t: Int) -> Float { count[t % count.count] }
        // From 300 s the ECG zigzags; the oximeter goes blank at 302 s (a), reads on (b), has been off since 200 s (c), read once at 290 s (d).
        func series(_ spo2: @escaping (Int) -> Float?) -> SampleBatch {
            TestData.series(seconds: stride(from: 0, to: 480, by: 1)) { t in
                var row: [Vital: Float] = [.hr: t >= 300 ? zigzag(t) : 72]
                row[.spo2] = spo2(t)
                return row
            }
        }
        let cases: [(name: String, spo2: (Int) -> Float?, kept: Bool)] = [
            ("lost with it", { $0 < 302 ? 97 : nil }, true),
            ("still reading", { _ in 97 }, false),
            ("off before", { $0 < 210 ? 97 : nil }, false),
            ("one reading before", { $0 == 290 ? 97 : nil }, false),
        ]
        for (name, spo2, kept) in cases {
            let raw = series(spo2)
            let clean = filter.clean(raw)
            let keptRows = (300..<480).filter { clean.value(.hr, row: $0) != nil }
            if kept {
                // Erratic from its third reading; the oximeter read last at 301 s: lost from 311 s and kept
                // for two minutes of loss, at every plausible reading (0, 12 and 275 are not).
                let plausible = (311...421).filter { (20...250).contains(zigzag($0)) }
                #expect(keptRows.filter { $0 >= 303 } == plausible, "\(name): \(keptRows)")
                #expect(clean.value(.hr, row: 313) == zigzag(313), "\(name): kept as read")
            } else {
                #expect(keptRows.allSatisfy { $0 < 303 }, "\(name): \(keptRows)")
            }
            #expect(TestData.rowsWhereOneRowFormDiffers(filter, raw, clean: clean).isEmpty, "\(name): the one-row form agrees")
        }
        var blind = filter
        blind.erraticHeartRate.oximeterLostSeconds = 0
        let blindClean = blind.clean(series { $0 < 302 ? 97 : nil })
        #expect((303..<480).allSatisfy { blindClean.value(.hr, row: $0) == nil }, "without the oximeter's sign, removed")
    }

    /// Noise around a zero dips below it: those readings are removed but do
    /// not break the run, so the asystole and apnoea are kept from their
    /// 20th second; a constant −1 (a sentinel) never makes one.
    @Test func negativeReadingsNeitherMakeNorBreakARun() {
        let series = TestData.series(seconds: stride(from: 0, to: 120, by: 1)) { t in
            let jitter: Float = [0.3, -0.2, 0.1, -0.4, 0][t % 5]
            return [.hr: t >= 30 ? jitter : 72, .rr: t >= 30 ? jitter : 12, .spo2: t >= 30 ? -1 : 97]
        }
        let clean = filter.clean(series)
        for row in 0..<series.count {
            let raw = series.value(.hr, row: row)!
            let expected: Float? = row >= 50 && raw >= 0 ? raw : row < 30 ? 72 : nil
            #expect(clean.value(.hr, row: row) == expected, "HR at \(row)")
            #expect(clean.value(.rr, row: row) == (row >= 50 && raw >= 0 ? raw : row < 30 ? 12 : nil), "RR at \(row)")
            #expect(clean.value(.spo2, row: row) == (row < 30 ? 97 : nil), "SpO2 -1 at \(row)")
        }
        #expect(TestData.rowsWhereOneRowFormDiffers(filter, series, clean: clean).isEmpty, "the one-row form agrees")
    }
}
