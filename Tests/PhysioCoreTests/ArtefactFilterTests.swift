import Foundation
import Testing
@testable import PhysioCore

@Suite struct ArtefactFilterTests {
    let filter = ArtefactFilter.standard

    func cleaned(_ values: [Vital: Float]) -> [Float] {
        var row = [Float](repeating: .nan, count: Vital.count)
        for (vital, value) in values { row[vital.rawValue] = value }
        filter.removeArtefacts(&row)
        filter.estimateMeanPressureIfMissing(&row)
        return row
    }

    @Test func implausibleValuesAreRemoved() {
        let row = cleaned([.hr: 0, .spo2: 40, .rr: 0, .temp: 0, .etco2: 2])
        #expect(row.allSatisfy { $0.isNaN })
        let edges = cleaned([.hr: 20, .spo2: 50, .rr: 3, .temp: 25])
        #expect(edges[Vital.hr.rawValue] == 20 && edges[Vital.spo2.rawValue] == 50)
        #expect(edges[Vital.rr.rawValue] == 3 && edges[Vital.temp.rawValue] == 25)
        #expect(cleaned([.hr: 251])[Vital.hr.rawValue].isNaN)
        #expect(cleaned([.hr: 250])[Vital.hr.rawValue] == 250)
    }

    @Test func arterialLinePatternsRemoveTheWholeTriple() {
        for (sbp, dbp) in [(Float(-3), Float(-3)), (0, 0), (300, 290), (296, 288), (74, -93), (88, 109), (15, 13), (100, 97)] {
            let row = cleaned([.sbp: sbp, .dbp: dbp, .mbp: 70, .hr: 70])
            #expect(row[Vital.sbp.rawValue].isNaN && row[Vital.dbp.rawValue].isNaN && row[Vital.mbp.rawValue].isNaN,
                    "\(sbp)/\(dbp) is an artefact")
            #expect(row[Vital.hr.rawValue] == 70, "other vitals are untouched")
        }
        // Real hypertension has a wide pulse pressure; real hypotension is kept too.
        let high = cleaned([.sbp: 260, .dbp: 120])
        #expect(high[Vital.sbp.rawValue] == 260)
        let low = cleaned([.sbp: 62, .dbp: 35])
        #expect(low[Vital.sbp.rawValue] == 62 && low[Vital.dbp.rawValue] == 35)
    }

    @Test func meanOutsideSystolicAndDiastolicIsReplacedByTheEstimate() {
        let row = cleaned([.sbp: 100, .dbp: 50, .mbp: 136])
        #expect(row[Vital.mbp.rawValue] == Float(200) / 3)
        let kept = cleaned([.sbp: 100, .dbp: 50, .mbp: 72])
        #expect(kept[Vital.mbp.rawValue] == 72, "a monitor's own mean is not replaced")
        let alone = cleaned([.mbp: -6])
        #expect(alone[Vital.mbp.rawValue].isNaN)
    }

    @Test func pressuresSettleForTenSecondsAfterAFlush() {
        // VitalDB case 1, 2,406–2,422 s.
        let trace: [(Int, Float, Float)] = [(2404, 140, 62), (2406, 322, 312), (2408, 322, 311), (2410, 322, 111),
                                            (2412, 231, 87), (2414, 165, 69), (2420, 142, 63), (2422, 141, 62)]
        var series = SampleBatch(caseID: "1")
        for (t, sbp, dbp) in trace {
            let row = series.appendRow(timestamp: Int64(t) * 1_000_000)
            series.set(.sbp, row: row, to: sbp)
            series.set(.dbp, row: row, to: dbp)
            series.set(.hr, row: row, to: 77)
        }
        let clean = filter.clean(series)
        let sbp = (0..<clean.count).map { clean.value(.sbp, row: $0) }
        #expect(sbp == [140, nil, nil, nil, nil, nil, nil, 141])
        #expect((0..<clean.count).allSatisfy { clean.value(.hr, row: $0) == 77 })
        // The one-row form looks back the same way.
        for row in 0..<series.count {
            let one = filter.cleanRow(series, row: row)
            #expect(one[Vital.sbp.rawValue] == clean.values[row * Vital.count + Vital.sbp.rawValue]
                    || (one[Vital.sbp.rawValue].isNaN && clean.value(.sbp, row: row) == nil))
        }
    }

    @Test func aMeanPressureAloneSettlesAfterItsOwnImplausibleValues() {
        // An arterial line sending MAP only, as it is connected (the simulator's
        // line insertion): zero, then the transducer swinging through plausible
        // and implausible values before the trace settles at 84 mmHg.
        let trace: [(Int, Float)] = [(0, -4), (1, -5), (2, 51), (3, 69), (4, 23), (5, 80), (6, 58), (8, 9), (9, 61),
                                     (15, 42), (18, 84), (19, 83), (20, 84), (21, 84)]
        var series = SampleBatch(caseID: "line")
        for (t, mean) in trace {
            let row = series.appendRow(timestamp: Int64(t) * 1_000_000)
            series.set(.mbp, row: row, to: mean)
            series.set(.hr, row: row, to: 70)
        }
        let clean = filter.clean(series)
        let mean = (0..<clean.count).map { clean.value(.mbp, row: $0) }
        #expect(mean == [nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, 83, 84, 84],
                "every value within 10 s of an implausible mean is removed")
        #expect((0..<clean.count).allSatisfy { clean.value(.hr, row: $0) == 70 })
        for row in 0..<series.count {
            #expect(filter.cleanRow(series, row: row)[Vital.mbp.rawValue].isNaN == (clean.value(.mbp, row: row) == nil))
        }
        // Beside a plausible systolic and diastolic, a charting error in the mean is that value's alone.
        let charted = cleaned([.sbp: 120, .dbp: 60, .mbp: 0])
        #expect(charted[Vital.sbp.rawValue] == 120 && charted[Vital.mbp.rawValue] == 80, "the mean is estimated instead")
        // A real low mean with no implausible value before it is kept.
        let low = TestData.series(seconds: stride(from: 0, to: 20, by: 1)) { _ in [.mbp: 48] }
        #expect(filter.clean(low).values.allSatisfy { $0.isNaN || $0 == 48 })
        #expect((0..<20).allSatisfy { filter.clean(low).value(.mbp, row: $0) == 48 })
    }

    @Test func anOximeterFallFasterThanBloodCanDesaturateIsRemovedWhileItLasts() {
        // Motion: 98 % to 82 % in three seconds, 17 s there, back up.
        func saturation(_ trace: (Int) -> Float, seconds: Int = 120) -> (raw: SampleBatch, clean: [Float?]) {
            let raw = TestData.series(seconds: stride(from: 0, to: seconds, by: 1)) { t in [.spo2: trace(t), .hr: 70] }
            let clean = filter.clean(raw)
            for row in 0..<raw.count {
                #expect(filter.cleanRow(raw, row: row)[Vital.spo2.rawValue].isNaN == (clean.value(.spo2, row: row) == nil),
                        "the one-row form agrees at \(row)")
            }
            return (raw, (0..<clean.count).map { clean.value(.spo2, row: $0) })
        }
        let dip: [Int: Float] = [40: 95, 41: 88, 42: 82, 60: 88, 61: 95]
        let motion = saturation { t in dip[t] ?? ((42..<60).contains(t) ? 82 : 98) }
        #expect(motion.clean[..<41].allSatisfy { $0 != nil } && motion.clean[62...].allSatisfy { $0 == 98 })
        #expect(motion.clean[41...60].allSatisfy { $0 == nil }, "\(motion.clean[38...63])")
        #expect(motion.clean[61] == 95, "within 3 points of the level before the fall, the reading counts again")
        // A real desaturation, a point every 3 s, is kept however deep.
        let real = saturation { t in max(98 - Float(max(t - 30, 0)) / 3, 75) }
        #expect(real.clean.allSatisfy { $0 != nil })
        // A fall that stays down counts again 30 s after the last reading at the level.
        let stays = saturation { t in t < 40 ? 98 : 80 }
        #expect(stays.clean[40...69].allSatisfy { $0 == nil } && stays.clean[70...].allSatisfy { $0 == 80 })
        // From a level already low, a steep fall may be the patient: kept.
        let low = saturation { t in t < 40 ? 92 : 84 }
        #expect(low.clean.allSatisfy { $0 != nil })
        // The filter's range for rows it may read starts far enough back: a minute of
        // hypotensive readings up to 90 s apart before a profound hypotension's (rule 6).
        #expect(filter.lookbackSeconds == 150)
    }

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

    @Test func aPressureReachedThroughHypotensionIsThePatientNotAnArtefact() {
        func cleaned(_ series: SampleBatch) -> [Float?] {
            let clean = filter.clean(series)
            let differing = TestData.rowsWhereOneRowFormDiffers(filter, series, clean: clean)
            #expect(differing.isEmpty, "the one-row form differs at \(differing.prefix(5))")
            let half = series.count / 2
            let tail = filter.clean(series, rows: half..<series.count)
            #expect(tail.values.elementsEqual(clean.values[(half * Vital.count)...]) { $0 == $1 || ($0.isNaN && $1.isNaN) },
                    "a cleaning that starts inside the run agrees")
            return (0..<clean.count).map { clean.value(.sbp, row: $0) ?? clean.value(.mbp, row: $0) }
        }
        func line(_ systolic: @escaping (Int) -> Float, seconds: Int = 600) -> [Float?] {
            cleaned(TestData.series(seconds: stride(from: 0, to: seconds, by: 1)) { t in
                let s = systolic(t)
                return [.sbp: s, .dbp: (s * 0.6).rounded(), .mbp: (s * 0.73).rounded(), .hr: 110]
            })
        }
        // A haemorrhage on an arterial line: SBP 110 to 30 over 5 min, then 5 min there. Below 80 from 90 s,
        // below 40 from 270 s: every reading is kept, the ones past the range too.
        let haemorrhage = line { t in max(110 - Float(t) * 80 / 300, 30).rounded() }
        #expect(haemorrhage.allSatisfy { $0 != nil }, "\(haemorrhage.firstIndex(of: nil) ?? -1)")
        #expect(haemorrhage[599] == 30)
        // An arrest from 110/66 to 25/15 at 100 s: removed for a minute, the patient from then on.
        let arrest = line { t in t < 100 ? 110 : 25 }
        #expect(arrest[100..<160].allSatisfy { $0 == nil } && arrest[160...].allSatisfy { $0 == 25 })
        // An unconnected line (3/2 mmHg, under the floor) and an insertion's 34 s of 20/12 stay artefacts.
        #expect(line { _ in 3 }.allSatisfy { $0 == nil })
        let insertion = line { t in (300..<334).contains(t) ? 20 : 110 }
        #expect(insertion[300..<344].allSatisfy { $0 == nil } && insertion[344...].allSatisfy { $0 == 110 })
        // Insertion nonsense (DBP below 0) never makes a run, however long it lasts.
        let nonsense = cleaned(TestData.series(seconds: stride(from: 0, to: 300, by: 1)) { t in [.sbp: 30, .dbp: t % 2 == 0 ? 12 : -20] })
        #expect(nonsense.allSatisfy { $0 == nil })
        // A blood sample's 40 s without pressures does not break the run.
        let sampled = cleaned(TestData.series(seconds: stride(from: 0, to: 600, by: 1)) { t in
            let s = max(110 - Float(t) * 80 / 300, 30).rounded()
            return (400..<440).contains(t) ? [.hr: 110] : [.sbp: s, .dbp: (s * 0.6).rounded()]
        })
        #expect(sampled[440...].allSatisfy { $0 == 30 })
        let cuff = cleaned(TestData.series(seconds: stride(from: 0, to: 900, by: 180)) { t in
            let readings: [(Float, Float)] = [(100, 60), (75, 45), (60, 35), (35, 20), (32, 18)]
            return [.sbp: readings[t / 180].0, .dbp: readings[t / 180].1]
        })
        // A cuff every 3 min: a reading past the range after a hypotensive one is two in a row.
        #expect(cuff == [100, 75, 60, 35, 32])
        func cuffReadings(_ readings: [(seconds: Int, systolic: Float, diastolic: Float)]) -> [Float?] {
            cleaned(TestData.series(seconds: readings.map(\.seconds)) { t in
                let reading = readings.first { $0.seconds == t }!
                return [.sbp: reading.systolic, .dbp: reading.diastolic]
            })
        }
        // A cuff's reading past the range is kept at once, after a normal one too (every monitor
        // alarms on it; until 2026-12-06 it waited for the next cycle); not when the reading
        // before came more than 6 min earlier (no cuff cycle to go by).
        #expect(cuffReadings([(0, 120, 70), (180, 35, 18), (360, 34, 18)]) == [120, 35, 34])
        #expect(cuffReadings([(0, 70, 40), (400, 35, 18)]) == [70, nil])
        // A cuff reading under the floor, or nonsense, is never kept.
        #expect(cuffReadings([(0, 70, 40), (180, 8, 4), (360, 35, 18)]) == [70, nil, 35])
        #expect(cuffReadings([(0, 70, 40), (180, 35, 50)]) == [70, nil])
        // MAP sent alone: 20 after a fall through 65 is kept; an unconnected line's −5 never is.
        let meanAlone = cleaned(TestData.series(seconds: stride(from: 0, to: 400, by: 1)) { t in [.mbp: max(80 - Float(t) / 4, 20)] })
        #expect(meanAlone.allSatisfy { $0 != nil } && meanAlone[399] == 20)
        #expect(cleaned(TestData.series(seconds: stride(from: 0, to: 400, by: 1)) { _ in [.mbp: -5] }).allSatisfy { $0 == nil })
        // Without rule 6 the haemorrhage's readings below 40 are removed: the rule is what keeps them.
        var without = filter
        without.profoundHypotension.seconds = 3600
        let series = TestData.series(seconds: stride(from: 0, to: 600, by: 1)) { t in
            let s = max(110 - Float(t) * 80 / 300, 30).rounded()
            return [.sbp: s, .dbp: (s * 0.6).rounded()]
        }
        #expect(without.clean(series).value(.sbp, row: 599) == nil)
        // A mean the kept systolic cannot have (below 0 without a diastolic) stays out.
        let negativeMean = filter.clean(TestData.series(seconds: stride(from: 0, to: 200, by: 1)) { t in
            let s = max(110 - Float(t), 30)
            return [.sbp: s, .mbp: t >= 150 ? -5 : (s * 0.73).rounded()]
        })
        #expect(negativeMean.value(.sbp, row: 199) == 30 && negativeMean.value(.mbp, row: 199) == nil)
    }

    @Test func cleaningTwiceChangesNothing() {
        let series = TestData.series(seconds: stride(from: 0, to: 60, by: 2)) { t in
            // HR 0 at every other reading, never for 20 s: a sustained extreme would be restored only once
            // its 20 s are seen, and cleaned again its run would start that much later.
            t == 10 ? [.sbp: 300, .dbp: 292] : [.sbp: Float(110 + t % 7), .dbp: 60, .hr: t % 4 == 0 ? 0 : 70]
        }
        let once = filter.clean(series)
        let twice = filter.clean(once)
        #expect(once.values.elementsEqual(twice.values) { $0 == $1 || ($0.isNaN && $1.isNaN) })
    }

    @Test func configurationRoundTripsThroughJSON() throws {
        let custom = ArtefactFilter(ranges: [.hr: 30...200], settleSeconds: 4)
        let decoded = try JSONDecoder().decode(ArtefactFilter.self, from: JSONEncoder().encode(custom))
        #expect(decoded == custom)
        #expect(decoded.range(of: .sbp).upperBound == .infinity)
        // A model trained before the oximeter rule existed reads with the rule on.
        var older = try JSONSerialization.jsonObject(with: JSONEncoder().encode(custom)) as! [String: Any]
        older.removeValue(forKey: "saturation_drop")
        let read = try JSONDecoder().decode(ArtefactFilter.self, from: JSONSerialization.data(withJSONObject: older))
        #expect(read.saturationDrop == .standard && read.settleSeconds == 4)
        older.removeValue(forKey: "sustained_extreme")
        older.removeValue(forKey: "profound_hypotension")
        let oldest = try JSONDecoder().decode(ArtefactFilter.self, from: JSONSerialization.data(withJSONObject: older))
        #expect(oldest.sustainedExtreme == .standard && oldest.profoundHypotension == .standard)
        older.removeValue(forKey: "probe_warming")
        #expect(try JSONDecoder().decode(ArtefactFilter.self, from: JSONSerialization.data(withJSONObject: older)).probeWarming == .standard)
        // A model written before cuffs were read reads them.
        let beforeCuffs = try JSONDecoder().decode(ProfoundHypotension.self, from: Data(
            #"{"floor": 10, "systolic_below": 80, "mean_below": 65, "seconds": 60, "maximum_gap_seconds": 90}"#.utf8))
        #expect(beforeCuffs == .standard && beforeCuffs.cuffCycleSeconds == 360)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ProfoundHypotension.self, from: Data(
                #"{"floor": 10, "systolic_below": 80, "mean_below": 65, "seconds": 60, "maximum_gap_seconds": 1e300}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(SustainedExtreme.self, from: Data(#"{"vitals": ["hr", "pulse"], "seconds": 20, "maximum_gap_seconds": 10}"#.utf8))
        }
        // Values that would trap when turned into microseconds are refused.
        var settling = older
        settling["settle_seconds"] = 1e300
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ArtefactFilter.self, from: JSONSerialization.data(withJSONObject: settling))
        }
        for bad in [#"{"fall_points": 6, "fall_seconds": 1e300, "reference": 94, "recovery_points": 3, "maximum_seconds": 30}"#,
                    #"{"fall_points": 2, "fall_seconds": 5, "reference": 94, "recovery_points": 3, "maximum_seconds": 30}"#,
                    #"{"fall_points": 6, "fall_seconds": 5, "reference": 94, "recovery_points": 3, "maximum_seconds": -1}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(SaturationDrop.self, from: Data(bad.utf8)) }
        }
    }
}
