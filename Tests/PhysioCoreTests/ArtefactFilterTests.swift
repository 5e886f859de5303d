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
