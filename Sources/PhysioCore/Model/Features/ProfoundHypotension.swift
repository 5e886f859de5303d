import PhysioPlatform

/// A blood pressure below its plausible range that the patient reached
/// through hypotension is the patient: profound shock, or a pulseless rhythm
/// with the arterial line still in. Rules 1–3 of `ArtefactFilter` remove
/// such a reading (SBP below 40, DBP below 20, MAP sent alone below 25, a
/// flat trace, and what settles after them), as they must for a line open to
/// air or being flushed into place. But a haemorrhage that goes on falling
/// past SBP 40 then leaves the rules nothing to read, and its alarm ends
/// once the last plausible reading is no longer held.
///
/// A removed reading is kept when it is itself hypotensive and readable,
/// and so was every pressure reading of the last `seconds`, readings no more
/// than `maximumGapSeconds` apart: an arterial line's blood sampling gap of
/// 10–40 s does not break the run, nor does a record of one row a minute or
/// a cuff cycling every 1–1.5 min. A cuff cycling every 2–5 min never shows
/// a minute of readings, so there a removed reading is kept when the
/// pressure reading before it came more than `maximumGapSeconds` and at most
/// `cuffCycleSeconds` earlier: a cuff's reading, which has no line to flush
/// or zero. Until 2026-12-06 that reading had to be hypotensive too, and a
/// cuff's 35/22 after normal readings waited for the next cycle (an outside
/// audit: 300 s). An arterial line connected after a cuff was in use may
/// read like that at its first second; the readings after it are removed,
/// which ends its hold (`ArtefactFilter.pressureHoldEnds`), so that
/// one reading stands for itself alone.
/// Hypotensive and readable: SBP in `floor..<systolicBelow` with DBP, if
/// sent, in 0…SBP; or MAP sent alone in `floor..<meanBelow`. A line before
/// it is connected reads 0 ± a few mmHg (below `floor`), and insertion and
/// flushing read DBP below 0 or above SBP, or 300 mmHg, so neither makes a
/// run. VitalDB case 1's line insertion reads SBP 15–24 for 34 s, shorter
/// than `seconds`.
///
/// Judged from the raw samples of the last `lookbackSeconds` and the one
/// pressure reading before them, so the one-row form, the series form and
/// the worker agree.
public struct ProfoundHypotension: Codable, Sendable, Equatable {
    public var floor: Float
    public var systolicBelow: Float
    public var meanBelow: Float
    public var seconds: Double
    public var maximumGapSeconds: Double
    /// A cuff's readings at most this far apart: the pressures' hold, 6 min
    /// (the ASA standard asks for a pressure at least every 5).
    public var cuffCycleSeconds: Double

    public init(floor: Float = 10, systolicBelow: Float = 80, meanBelow: Float = 65,
                seconds: Double = 60, maximumGapSeconds: Double = 90, cuffCycleSeconds: Double = 360) {
        self.floor = floor
        self.systolicBelow = systolicBelow
        self.meanBelow = meanBelow
        self.seconds = seconds
        self.maximumGapSeconds = maximumGapSeconds
        self.cuffCycleSeconds = cuffCycleSeconds
        precondition(isValid)
    }

    /// Below SBP 80 or MAP 65: the hypotension rules' own limits.
    public static let standard = ProfoundHypotension()

    /// Seconds that become microseconds without trapping.
    var isValid: Bool { [seconds, maximumGapSeconds, cuffCycleSeconds].allSatisfy { (0...3600).contains($0) } }

    /// How far back from a row the judgement reads.
    public var lookbackSeconds: Double { seconds + maximumGapSeconds }

    /// Whether raw row `row` sends a hypotensive, readable pressure.
    func isHypotensive(_ values: UnsafeBufferPointer<Float>, row: Int) -> Bool {
        let base = row * Vital.count
        let systolic = values[base + Vital.sbp.rawValue], diastolic = values[base + Vital.dbp.rawValue]
        if !systolic.isNaN {
            return systolic >= floor && systolic < systolicBelow && (diastolic.isNaN || (diastolic >= 0 && diastolic <= systolic))
        }
        let mean = values[base + Vital.mbp.rawValue]
        return diastolic.isNaN && mean >= floor && mean < meanBelow
    }

    /// Whether raw row `row` sends any pressure at all.
    static func sendsPressure(_ values: UnsafeBufferPointer<Float>, row: Int) -> Bool {
        let base = row * Vital.count
        return !values[base + Vital.sbp.rawValue].isNaN || !values[base + Vital.dbp.rawValue].isNaN
            || !values[base + Vital.mbp.rawValue].isNaN
    }

    /// Whether the raw pressures of `row` are the patient's: hypotensive and
    /// readable, as was every pressure reading of the last `seconds` (reading
    /// rows from `firstReadable` on), or a cuff's reading (the pressure reading
    /// before it 1.5–6 min earlier; with `lastedOnly`, a hypotensive one).
    func isSustained(_ series: SampleBatch, row: Int, from firstReadable: Int, lastedOnly: Bool = false) -> Bool {
        series.values.withUnsafeBufferPointer { values in
            guard isHypotensive(values, row: row) else { return false }
            return LastingRun.holds(series.timestamps, row: row, from: firstReadable, seconds: seconds,
                                    maximumGapSeconds: maximumGapSeconds,
                                    isReading: { Self.sendsPressure(values, row: $0) }, holds: { isHypotensive(values, row: $0) })
                || followsCuffReading(values, series.timestamps, row: row, hypotensive: lastedOnly)
        }
    }

    /// Whether `row`'s pressures are kept for having lasted (a minute of
    /// hypotensive readings, or a cuff's hypotensive reading before it), not
    /// only for being a cuff's: a breach holding a value that lasted has had
    /// its persistence judged, and the safety floor raises it at once.
    func hasLasted(_ series: SampleBatch, row: Int, from firstReadable: Int) -> Bool {
        isSustained(series, row: row, from: firstReadable, lastedOnly: true)
    }

    /// Whether the pressure reading before `row` came more than
    /// `maximumGapSeconds` and at most `cuffCycleSeconds` earlier: `row` is a
    /// cuff's next reading. Bounded by time, not by the filter's look back:
    /// the worker reads that one reading apart
    /// (`VitalsReader.read(_:previousPressureSeconds:on:)`), not every row so far back.
    func followsCuffReading(_ values: UnsafeBufferPointer<Float>, _ times: [Int64], row: Int, hypotensive: Bool = false) -> Bool {
        let time = times[row], earliest = time - Timestamp.micros(seconds: cuffCycleSeconds)
        var earlier = row - 1
        while earlier >= 0, times[earlier] >= earliest {
            if Self.sendsPressure(values, row: earlier) {
                return time - times[earlier] > Timestamp.micros(seconds: maximumGapSeconds)
                    && (!hypotensive || isHypotensive(values, row: earlier))
            }
            earlier -= 1
        }
        return false
    }

    enum CodingKeys: String, CodingKey {
        case floor, systolicBelow = "systolic_below", meanBelow = "mean_below", seconds
        case maximumGapSeconds = "maximum_gap_seconds", cuffCycleSeconds = "cuff_cycle_seconds"
    }

    /// A model file's values are checked, not trusted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        floor = try container.decode(Float.self, forKey: .floor)
        systolicBelow = try container.decode(Float.self, forKey: .systolicBelow)
        meanBelow = try container.decode(Float.self, forKey: .meanBelow)
        seconds = try container.decode(Double.self, forKey: .seconds)
        maximumGapSeconds = try container.decode(Double.self, forKey: .maximumGapSeconds)
        // Models written before cuffs were read get them: policy, not learned.
        cuffCycleSeconds = try container.decodeIfPresent(Double.self, forKey: .cuffCycleSeconds) ?? Self.standard.cuffCycleSeconds
        guard isValid else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath,
                                                    debugDescription: "profound_hypotension needs seconds within an hour"))
        }
    }
}
