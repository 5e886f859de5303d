import PhysioPlatform

/// Turns artefacts into missing values: the forest must not learn that a
/// flushed arterial line is a patient in trouble, and the rules must not fire on it.
///
/// Rules, applied per sample (the first two) and looking back a few seconds (the last):
/// 1. **Physiological plausibility**, narrower than what ingest accepts
///    (`Vital.reportableRange`): HR 20–250 /min, SBP 40–300, DBP 20–200,
///    MAP 25–250 mmHg, SpO2 50–100 %, RR 3–70 /min, EtCO2 5–100 mmHg,
///    temperature 25–44 °C. A value outside is removed. HR 0, RR 0, 0 °C and
///    SpO2 below 50 are charting or probe errors in the ICU sets; EtCO2 near 0
///    means no airway is connected.
/// 2. **Arterial-line patterns.** SBP, DBP and MAP come from one transducer,
///    so when SBP or DBP is implausible (not a DBP from 0 up to its range
///    beside a plausible SBP and the monitor's own MAP between them: a
///    ringing line, whose mean stays true; that DBP goes alone), or MAP is where the monitor sends
///    MAP alone (such a line reads about −5 mmHg before it is connected, then
///    swings through −40…110 as it is flushed into place), or the trace is flat (SBP − DBP below
///    5 mmHg: −3/−3 before the line is connected, 15/13 while zeroing), or
///    SBP < DBP (88/109 while flushing), or it is the flush square wave
///    (SBP ≥ 250 with SBP − DBP ≤ 30, the ≈300/290 mmHg of a pressure bag),
///    all three are removed. A MAP outside [DBP, SBP] is removed alone.
/// 3. **Settling.** For 10 s after such a blood-pressure artefact the
///    pressures are removed too: after a flush the trace decays through
///    plausible-looking values (VitalDB case 1 at 2,410–2,416 s: 322/111,
///    231/87, 165/69). Only earlier samples are consulted, so the filter is
///    causal and a sample's result does not change when later data arrive.
/// 4. **Oximeter falls** (`SaturationDrop`): SpO2 falling faster than blood
///    can desaturate (6 points within 5 s from 94 % or more) is removed
///    while it stays down, for at most 30 s.
/// 5. **Sustained extremes** (`SustainedExtreme`): an HR, SpO2 or RR below
///    its range at every reading for 20 s (asystole, profound desaturation,
///    apnoea), or an HR above it at three readings or more (a
///    tachyarrhythmia), is the patient, and rule 1 no longer removes it;
///    not SpO2 0 (a probe off) nor HR 0 while an arterial line still beats
///    (`PulseElsewhere`: leads off).
/// 6. **Profound hypotension** (`ProfoundHypotension`): pressures below
///    their range, reached through a minute of hypotensive readings, or read
///    by a cuff (the pressure reading before 1.5–6 min earlier), are the patient, and
///    rules 1–3 no longer remove them.
/// 7. **Erratic heart rate** (`ErraticHeartRate`): an HR that jumps by
///    20 /min or more and turns back twice within 10 s (diathermy on the
///    ECG) is removed, and its hold ends; unless the oximeter, reading
///    before, has read nothing for 10 s: a fibrillation, kept.
/// 8. **Pulseless line** (`PulselessLine`): pressures past the range on an
///    arterial line for 10 s while the ECG or the capnograph shows no
///    circulation (a cardiac arrest) are the patient, as rule 6 keeps them
///    after a minute; not while the oximeter still reads (`PulseElsewhere`:
///    the line pulled at the end of a case, beside an extubation's CO2 of 0).
/// 9. **Probe warming** (`ProbeWarming`): a temperature below 36 °C that
///    climbs 0.5 °C or more within 2 minutes is a probe warming to the body,
///    removed, and the hold of the reading before it ends there.
/// 10. **Non-pulsatile flow** (`NonPulsatileFlow`): a flat trace at a
///    plausible pressure for a minute while the oximeter reads no pulse
///    (bypass, a ventricular assist device) is the patient, and rule 2 no
///    longer removes it.
///
/// After filtering, a missing MAP with SBP and DBP present is **estimated**
/// as (SBP + 2·DBP)/3 (the usual approximation; not the monitor's own mean).
public struct ArtefactFilter: Codable, Sendable, Equatable {
    /// Plausible range per vital, indexed by `Vital.rawValue` (±∞: no limit).
    public private(set) var lower: [Float]
    public private(set) var upper: [Float]
    public var minimumPulsePressure: Float
    public var flushSystolic: Float
    public var flushPulsePressure: Float
    public var settleSeconds: Double
    public var estimateMeanPressure: Bool
    public var saturationDrop: SaturationDrop
    public var sustainedExtreme: SustainedExtreme
    public var profoundHypotension: ProfoundHypotension
    public var erraticHeartRate: ErraticHeartRate
    public var pulselessLine: PulselessLine
    public var probeWarming: ProbeWarming
    public var nonPulsatileFlow: NonPulsatileFlow

    public init(ranges: [Vital: ClosedRange<Float>] = ArtefactFilter.clinicalRanges,
                minimumPulsePressure: Float = 5, flushSystolic: Float = 250, flushPulsePressure: Float = 30,
                settleSeconds: Double = 10, estimateMeanPressure: Bool = true, saturationDrop: SaturationDrop = .standard,
                sustainedExtreme: SustainedExtreme = .standard, profoundHypotension: ProfoundHypotension = .standard,
                erraticHeartRate: ErraticHeartRate = .standard, pulselessLine: PulselessLine = .standard,
                probeWarming: ProbeWarming = .standard, nonPulsatileFlow: NonPulsatileFlow = .standard) {
        lower = Vital.allCases.map { ranges[$0]?.lowerBound ?? -.infinity }
        upper = Vital.allCases.map { ranges[$0]?.upperBound ?? .infinity }
        self.minimumPulsePressure = minimumPulsePressure
        self.flushSystolic = flushSystolic
        self.flushPulsePressure = flushPulsePressure
        self.settleSeconds = settleSeconds
        self.estimateMeanPressure = estimateMeanPressure
        self.saturationDrop = saturationDrop
        self.sustainedExtreme = sustainedExtreme
        self.profoundHypotension = profoundHypotension
        self.erraticHeartRate = erraticHeartRate
        self.pulselessLine = pulselessLine
        self.probeWarming = probeWarming
        self.nonPulsatileFlow = nonPulsatileFlow
    }

    public static let clinicalRanges: [Vital: ClosedRange<Float>] = [
        .hr: 20...250, .sbp: 40...300, .dbp: 20...200, .mbp: 25...250,
        .spo2: 50...100, .rr: 3...70, .etco2: 5...100, .temp: 25...44,
    ]

    public static let standard = ArtefactFilter()

    public func range(of vital: Vital) -> ClosedRange<Float> { lower[vital.rawValue]...upper[vital.rawValue] }

    /// How far before a row the filter reads: pressure settling, oximeter falls, sustained extremes, profound hypotension.
    public var lookbackSeconds: Double {
        max(settleSeconds, saturationDrop.lookbackSeconds, sustainedExtreme.lookbackSeconds, profoundHypotension.lookbackSeconds,
            erraticHeartRate.lookbackSeconds, pulselessLine.lookbackSeconds, probeWarming.lookbackSeconds,
            nonPulsatileFlow.lookbackSeconds)
    }

    /// How far before a row rule 6 looks for a cuff's reading before it. One
    /// reading, not every row so far back: the worker reads it apart.
    public var previousPressureSeconds: Double { profoundHypotension.cuffCycleSeconds }

    /// The series with artefacts set to NaN and MAP estimated where missing.
    public func clean(_ series: SampleBatch) -> SampleBatch { clean(series, rows: 0..<series.count) }

    /// Rows `rows` of `series`, cleaned exactly: raw samples of `series` from
    /// `lookbackSeconds` before the first row are read too, never returned.
    public func clean(_ series: SampleBatch, rows: Range<Int>) -> SampleBatch {
        let first = rows.isEmpty ? rows.lowerBound : SortedTimes.firstIndex(
            series.timestamps, atOrAfter: series.timestamps[rows.lowerBound] - Timestamp.micros(seconds: lookbackSeconds),
            in: 0..<rows.lowerBound)
        var clean = SampleBatch(caseID: series.caseID, reservingCapacity: rows.count)
        var values = [Float](repeating: .nan, count: Vital.count)
        var lastArtefact = Int64.min
        let settleMicros = Int64(settleSeconds * 1e6)
        let extremes = sustainedExtreme.vitals
        for row in first..<rows.upperBound {
            let time = series.timestamps[row]
            for i in 0..<Vital.count { values[i] = series.values[row * Vital.count + i] }
            let isArtefact = removeArtefacts(&values)
            if isArtefact { lastArtefact = time }
            guard row >= rows.lowerBound else { continue }
            if !isArtefact, lastArtefact != .min, time - lastArtefact <= settleMicros { removePressures(&values) }
            removeSaturationDrop(&values, series, row: row, from: first)
            restoreSustainedExtremes(&values, series, row: row, from: first, vitals: extremes)
            restoreProfoundHypotension(&values, series, row: row, from: first)
            removeErraticHeartRate(&values, series, row: row, from: first)
            removeProbeWarming(&values, series, row: row, from: first)
            estimateMeanPressureIfMissing(&values)
            let out = clean.appendRow(timestamp: time)
            for vital in Vital.allCases where !values[vital.rawValue].isNaN { clean.set(vital, row: out, to: values[vital.rawValue]) }
        }
        return clean
    }

    /// The clean values of one row (as `clean` gives them), looking back in `series` for settling.
    public func cleanRow(_ series: SampleBatch, row: Int) -> [Float] {
        var values = Array(series.values[(row * Vital.count)..<((row + 1) * Vital.count)])
        let isArtefact = removeArtefacts(&values)
        if !isArtefact {
            let earliest = series.timestamps[row] - Int64(settleSeconds * 1e6)
            var scratch = [Float](repeating: .nan, count: Vital.count)
            var previous = row - 1
            while previous >= 0, series.timestamps[previous] >= earliest {
                for i in 0..<Vital.count { scratch[i] = series.values[previous * Vital.count + i] }
                if removeArtefacts(&scratch) { removePressures(&values); break }
                previous -= 1
            }
        }
        removeSaturationDrop(&values, series, row: row, from: 0)
        restoreSustainedExtremes(&values, series, row: row, from: 0, vitals: sustainedExtreme.vitals)
        restoreProfoundHypotension(&values, series, row: row, from: 0)
        removeErraticHeartRate(&values, series, row: row, from: 0)
        removeProbeWarming(&values, series, row: row, from: 0)
        estimateMeanPressureIfMissing(&values)
        return values
    }

    /// Removes implausible values in one row (indexed by `Vital.rawValue`);
    /// true if the blood-pressure triple was an artefact (which starts settling).
    @discardableResult
    public func removeArtefacts(_ values: inout [Float]) -> Bool {
        let s = Vital.sbp.rawValue, d = Vital.dbp.rawValue, m = Vital.mbp.rawValue
        let systolic = values[s], diastolic = values[d], sentMean = values[m]
        var lineArtefact = false
        for i in 0..<Vital.count where !values[i].isNaN && !(values[i] >= lower[i] && values[i] <= upper[i]) {
            // A mean sent without systolic and diastolic is the transducer's only sign.
            if i == s || (i == d && !isRingingDiastolic(systolic: systolic, diastolic: diastolic, mean: sentMean))
                || (i == m && systolic.isNaN && diastolic.isNaN) { lineArtefact = true }
            values[i] = .nan
        }
        if !lineArtefact, !systolic.isNaN, !diastolic.isNaN {
            lineArtefact = isFlatOrFlush(systolic: systolic, diastolic: diastolic)
        }
        if lineArtefact {
            removePressures(&values)
            return true
        }
        let mean = values[m]
        if !mean.isNaN, !systolic.isNaN, !diastolic.isNaN, mean < diastolic || mean > systolic { values[m] = .nan }
        return false
    }

    /// A diastolic below its range under a pulse the rest of the row vouches
    /// for: a plausible systolic, the monitor's own plausible mean between
    /// the two, no flat trace or flush. An underdamped (ringing) line reads
    /// diastolic low and systolic high while its mean stays true, as it does
    /// in vasoplegia; only the diastolic goes (no rule reads it), or a
    /// hypotension on the mean would lose its alarm once the last clean
    /// mean was no longer held. A line not yet in a patient reads below 0.
    func isRingingDiastolic(systolic: Float, diastolic: Float, mean: Float) -> Bool {
        let d = Vital.dbp.rawValue, s = Vital.sbp.rawValue, m = Vital.mbp.rawValue
        return diastolic >= 0 && diastolic < lower[d] && systolic >= lower[s] && systolic <= upper[s]
            && mean >= lower[m] && mean <= upper[m] && mean >= diastolic && mean <= systolic
            && !isFlatOrFlush(systolic: systolic, diastolic: diastolic)
    }

    /// Rule 2's trace that is no pulse: flat (pulse pressure below the
    /// minimum, SBP < DBP included) or the flush's square wave.
    func isFlatOrFlush(systolic: Float, diastolic: Float) -> Bool {
        let pulsePressure = systolic - diastolic
        return pulsePressure < minimumPulsePressure || (systolic >= flushSystolic && pulsePressure <= flushPulsePressure)
    }

    /// Whether minute `index` of `means` held only plausible values of
    /// `vital`, judged from its lowest and highest, and for a pressure none
    /// of SBP or DBP either: the minute form of rules 1 and 2, for the
    /// baseline, which reads minutes rather than samples.
    func isPlausible(_ vital: Vital, inMinute index: Int, of means: MinuteMeans) -> Bool {
        guard means.stayed(vital, at: index, in: range(of: vital)) else { return false }
        switch vital {
        case .sbp, .dbp, .mbp: return means.stayed(.sbp, at: index, in: range(of: .sbp)) && means.stayed(.dbp, at: index, in: range(of: .dbp))
        default: return true
        }
    }

    /// Rule 4 on `row`, reading rows from `first` on.
    func removeSaturationDrop(_ values: inout [Float], _ series: SampleBatch, row: Int, from first: Int) {
        let spo2 = Vital.spo2.rawValue
        guard !values[spo2].isNaN, saturationDrop.isArtefact(series, row: row, from: first, plausible: range(of: .spo2)) else { return }
        values[spo2] = .nan
    }

    /// Rule 7 on `row`, reading rows from `first` on.
    func removeErraticHeartRate(_ values: inout [Float], _ series: SampleBatch, row: Int, from first: Int) {
        let hr = Vital.hr.rawValue
        guard !values[hr].isNaN, isErraticArtefact(series, row: row, from: first) else { return }
        values[hr] = .nan
    }

    /// Rule 9 on `row`, reading rows from `first` on.
    func removeProbeWarming(_ values: inout [Float], _ series: SampleBatch, row: Int, from first: Int) {
        let temp = Vital.temp.rawValue
        guard !values[temp].isNaN, isProbeWarming(series, row: row, from: first) else { return }
        values[temp] = .nan
    }

    /// Rule 9's judgement of `row`'s temperature.
    func isProbeWarming(_ series: SampleBatch, row: Int, from first: Int) -> Bool {
        probeWarming.isWarming(series, row: row, from: first, plausible: range(of: .temp))
    }

    /// Rule 7's judgement of `row`'s HR: a zigzag, unless the oximeter lost its pulse with it (a fibrillation).
    func isErraticArtefact(_ series: SampleBatch, row: Int, from first: Int) -> Bool {
        erraticHeartRate.isArtefact(series, row: row, from: first)
            && !erraticHeartRate.isFibrillation(series, row: row, from: first, spo2: range(of: .spo2))
    }

    /// Rule 5 on `row`, reading rows from `first` on; `vitals`: `sustainedExtreme.vitals`, read once per series.
    func restoreSustainedExtremes(_ values: inout [Float], _ series: SampleBatch, row: Int, from first: Int, vitals: [Vital]) {
        for vital in vitals {
            let column = vital.rawValue, raw = series.values[row * Vital.count + column]
            // Most rows: no extreme reading here at all, and nothing to look back for.
            guard values[column].isNaN else { continue }
            if SustainedExtreme.isExtreme(raw, of: vital, lowest: lower[column]) {
                guard sustainedExtreme.isSustained(series, vital: vital, row: row, from: first, limit: lower[column]) else { continue }
                // A rate of 0 beside a line that still beats: the ECG's leads are off.
                if vital == .hr, raw == 0, pulseElsewhere.lineReadsPulse(series, row: row, from: first) { continue }
            } else if raw > upper[column], sustainedExtreme.above.contains(vital) {
                guard sustainedExtreme.isSustained(series, vital: vital, row: row, from: first, limit: upper[column], isAbove: true) else { continue }
            } else {
                continue
            }
            values[column] = raw
        }
    }

    /// Rows of `clean` (rows `first…` of `series`, cleaned) whose pressures
    /// past the range were kept as a cuff's reading alone, not for having
    /// lasted (`ProfoundHypotension.hasLasted`).
    public func pressuresKeptAlone(_ series: SampleBatch, from first: Int, clean: SampleBatch) -> [Bool] {
        let floors = [Vital.sbp, .dbp, .mbp].map { (vital: $0, lowest: lower[$0.rawValue]) }
        return (0..<clean.count).map { row in
            floors.contains { (clean.value($0.vital, row: row) ?? $0.lowest) < $0.lowest }
                && !profoundHypotension.hasLasted(series, row: first + row, from: 0) && !isPulseless(series, row: first + row, from: 0)
        }
    }

    /// Where a vital's hold ends without a new sample, row-major like
    /// `clean`'s values: the pressures' (`pressureHoldEnds`), HR's at a
    /// reading removed as erratic (rule 7: the burst's first readings are not
    /// held through it) and temperature's at a probe's warming (rule 9).
    public func holdEnds(_ series: SampleBatch, from first: Int, clean: SampleBatch, keptAlone: [Bool]) -> [Bool] {
        var ends = pressureHoldEnds(series, from: first, clean: clean, keptAlone: keptAlone)
        let hr = Vital.hr.rawValue
        for row in 0..<clean.count where clean.values[row * Vital.count + hr].isNaN && !series.values[(first + row) * Vital.count + hr].isNaN
            && isErraticArtefact(series, row: first + row, from: first) {
            ends[row * Vital.count + hr] = true
        }
        let temp = Vital.temp.rawValue
        for row in 0..<clean.count where clean.values[row * Vital.count + temp].isNaN
            && isProbeWarming(series, row: first + row, from: first) {
            ends[row * Vital.count + temp] = true
        }
        return ends
    }

    /// Where the pressures' hold ends without a new reading (row-major like
    /// `clean`, for `VitalHold.held`): a pressure reading the filter removed
    /// after a reading kept alone, so an arterial line's first reading,
    /// connected after a cuff was in use, stands for itself alone and is not
    /// held through the flushing that follows it.
    public func pressureHoldEnds(_ series: SampleBatch, from first: Int, clean: SampleBatch, keptAlone: [Bool]) -> [Bool] {
        var ends = [Bool](repeating: false, count: clean.count * Vital.count)
        let fromKeptAlone = Self.latestPressureKeptAlone(clean, keptAlone: keptAlone)
        for row in 1..<max(1, clean.count) where fromKeptAlone[row - 1] && !Self.hasPressure(clean.values, row: row)
            && Self.hasPressure(series.values, row: first + row) {
            for vital in [Vital.sbp, .dbp, .mbp] { ends[row * Vital.count + vital.rawValue] = true }
        }
        return ends
    }

    /// Per row of `clean`: whether its latest clean pressure reading (at or
    /// before the row) was one kept alone: what the pressures then hold.
    public static func latestPressureKeptAlone(_ clean: SampleBatch, keptAlone: [Bool]) -> [Bool] {
        var latest = false
        return (0..<clean.count).map { row in
            if hasPressure(clean.values, row: row) { latest = keptAlone[row] }
            return latest
        }
    }

    private static func hasPressure(_ values: [Float], row: Int) -> Bool {
        [Vital.sbp, .dbp, .mbp].contains { !values[row * Vital.count + $0.rawValue].isNaN }
    }

    /// Rule 6 on `row`, reading rows from `first` on.
    func restoreProfoundHypotension(_ values: inout [Float], _ series: SampleBatch, row: Int, from first: Int) {
        let s = Vital.sbp.rawValue, d = Vital.dbp.rawValue, m = Vital.mbp.rawValue
        // Most rows keep a pressure, or never sent one: nothing to look back for.
        guard values[s].isNaN, values[d].isNaN, values[m].isNaN,
              profoundHypotension.isSustained(series, row: row, from: first) || isPulseless(series, row: row, from: first)
                || nonPulsatileFlow.holds(series, row: row, from: first, filter: self) else { return }
        let base = row * Vital.count
        let systolic = series.values[base + s], diastolic = series.values[base + d], mean = series.values[base + m]
        values[s] = systolic
        values[d] = diastolic
        // A mean outside what the pair allows is dropped, as rule 2 drops it (then estimated).
        values[m] = systolic.isNaN || (mean >= (diastolic.isNaN ? 0 : diastolic) && mean <= systolic) ? mean : .nan
    }

    /// The other sensors' pulse, read over rule 8's window.
    var pulseElsewhere: PulseElsewhere { PulseElsewhere(filter: self, seconds: pulselessLine.seconds) }

    /// Rule 8 on `row`, reading rows from `firstReadable` on.
    func isPulseless(_ series: SampleBatch, row: Int, from firstReadable: Int) -> Bool {
        // Most rows send no pressure past the range: nothing to look back for.
        guard series.values.withUnsafeBufferPointer({ isPastRange($0, row: row) }) else { return false }
        // An oximeter still reading: the line was pulled or opened, the heart beats.
        guard !pulseElsewhere.oximeterReads(series, row: row, from: firstReadable) else { return false }
        let hr = Vital.hr.rawValue
        return pulselessLine.holds(series, row: row, from: firstReadable, isPastRange: { values, row in
            isPastRange(values, row: row) && profoundHypotension.isHypotensive(values, row: row)
        }, isNoRhythm: { row in
            let rate = series.values[row * Vital.count + hr]
            return rate < pulselessLine.heartRateBelow || rate > upper[hr] || erraticHeartRate.isArtefact(series, row: row, from: firstReadable)
        })
    }

    /// Whether raw row `row` sends SBP below its range, or MAP alone below its own.
    private func isPastRange(_ values: UnsafeBufferPointer<Float>, row: Int) -> Bool {
        let systolic = values[row * Vital.count + Vital.sbp.rawValue]
        return systolic.isNaN ? values[row * Vital.count + Vital.mbp.rawValue] < lower[Vital.mbp.rawValue] : systolic < lower[Vital.sbp.rawValue]
    }

    func removePressures(_ values: inout [Float]) {
        values[Vital.sbp.rawValue] = .nan
        values[Vital.dbp.rawValue] = .nan
        values[Vital.mbp.rawValue] = .nan
    }

    func estimateMeanPressureIfMissing(_ values: inout [Float]) {
        guard estimateMeanPressure, values[Vital.mbp.rawValue].isNaN else { return }
        let sbp = values[Vital.sbp.rawValue], dbp = values[Vital.dbp.rawValue]
        if !sbp.isNaN && !dbp.isNaN { values[Vital.mbp.rawValue] = MeanArterialPressure.estimate(systolic: sbp, diastolic: dbp) }
    }
}
