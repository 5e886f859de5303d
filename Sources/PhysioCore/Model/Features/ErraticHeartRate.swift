import PhysioPlatform

/// A heart rate that jumps back and forth by tens of beats a minute from one
/// reading to the next: electrocautery (diathermy) or motion on the ECG,
/// counted as beats. A monitor's displayed rate is averaged over several
/// beats, so even atrial fibrillation moves it a few /min from one second
/// to the next, and an arrhythmia's onset is one step, not a zigzag.
///
/// The heart rate of a row is an artefact when it jumped by at least
/// `jumpPerMinute` from the reading before, and the raw readings of the last
/// `windowSeconds` (implausible ones too: a burst reads 0–35 and 150–290
/// alike) jump so and turn back at least `reversals` times: up, down, up.
/// The first steady reading after a burst is the heart again. The hold ends
/// at each such reading (`ArtefactFilter.holdEnds`): the burst's first
/// readings, kept before the zigzag showed, are not held through it, so a
/// burst reads as missing. Rows further apart than half the window never
/// show it (a burst between two readings 10 s apart is one reading).
///
/// Judged from the raw samples alone, so the one-row form and the series
/// form agree and a sample's result does not change when later data arrive.
///
/// A ventricular fibrillation counted as beats zigzags the same way; what
/// tells it from diathermy is a second sign. The pressures' is read by
/// `PulselessLine`; the oximeter's is read here: a zigzag while the
/// oximeter, reading before, has read nothing for 10 s to 2 minutes, and
/// the rate has zigzagged at half its readings since, is the patient's
/// heart (`isFibrillation`), kept: its plausible values (35, 150, 240 /min)
/// breach the HR rules. No pulse reaches the finger; diathermy leaves the
/// oximeter reading, and comes in bursts. Keeping a
/// zigzag for lasting 30 s alone was tried and not kept: an outside
/// audit's series of diathermy bursts alarmed (docs/detector.md).
public struct ErraticHeartRate: Codable, Sendable, Equatable {
    public var jumpPerMinute: Float
    public var windowSeconds: Double
    public var reversals: Int
    /// How long the oximeter has read nothing, at least (0: the oximeter is
    /// not read) and at most: beyond, a zigzag is diathermy again.
    public var oximeterLostSeconds: Double
    public var oximeterLostLongestSeconds: Double
    /// How many plausible SpO2 readings, in how many seconds before the last, show it was reading.
    public var oximeterReadings: Int
    public var oximeterReadingSeconds: Double

    public init(jumpPerMinute: Float = 20, windowSeconds: Double = 10, reversals: Int = 2,
                oximeterLostSeconds: Double = 10, oximeterLostLongestSeconds: Double = 120,
                oximeterReadings: Int = 3, oximeterReadingSeconds: Double = 30) {
        self.jumpPerMinute = jumpPerMinute
        self.windowSeconds = windowSeconds
        self.reversals = reversals
        self.oximeterLostSeconds = oximeterLostSeconds
        self.oximeterLostLongestSeconds = oximeterLostLongestSeconds
        self.oximeterReadings = oximeterReadings
        self.oximeterReadingSeconds = oximeterReadingSeconds
        precondition(isValid)
    }

    public static let standard = ErraticHeartRate()

    var isValid: Bool {
        jumpPerMinute > 0 && jumpPerMinute.isFinite && (0.001...600).contains(windowSeconds) && reversals >= 1
            && (0...120).contains(oximeterLostSeconds) && (oximeterLostSeconds...600).contains(oximeterLostLongestSeconds)
            && oximeterReadings >= 1 && (0.001...120).contains(oximeterReadingSeconds)
    }

    enum CodingKeys: String, CodingKey {
        case jumpPerMinute = "jump_per_minute", windowSeconds = "window_seconds", reversals
        case oximeterLostSeconds = "oximeter_lost_seconds", oximeterLostLongestSeconds = "oximeter_lost_longest_seconds"
        case oximeterReadings = "oximeter_readings"
        case oximeterReadingSeconds = "oximeter_reading_seconds"
    }

    /// A model file's values are checked, not trusted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        jumpPerMinute = try container.decode(Float.self, forKey: .jumpPerMinute)
        windowSeconds = try container.decode(Double.self, forKey: .windowSeconds)
        reversals = try container.decode(Int.self, forKey: .reversals)
        // Models written before the oximeter's sign read with it: it is policy, not learned.
        let standard = ErraticHeartRate.standard
        oximeterLostSeconds = try container.decodeIfPresent(Double.self, forKey: .oximeterLostSeconds) ?? standard.oximeterLostSeconds
        oximeterLostLongestSeconds = try container.decodeIfPresent(Double.self, forKey: .oximeterLostLongestSeconds)
            ?? standard.oximeterLostLongestSeconds
        oximeterReadings = try container.decodeIfPresent(Int.self, forKey: .oximeterReadings) ?? standard.oximeterReadings
        oximeterReadingSeconds = try container.decodeIfPresent(Double.self, forKey: .oximeterReadingSeconds) ?? standard.oximeterReadingSeconds
        guard isValid else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath,
                debugDescription: "erratic_heart_rate needs a positive jump, a window within 10 minutes, at least one reversal, "
                    + "an oximeter lost for 0–2 minutes at least and at most 10 minutes, and at least one reading within 2 minutes before"))
        }
    }

    /// Whether the HR of `row` is part of such a burst, reading rows from `firstReadable` on.
    func isArtefact(_ series: SampleBatch, row: Int, from firstReadable: Int = 0) -> Bool {
        let times = series.timestamps, column = Vital.hr.rawValue
        let windowStart = times[row] - Timestamp.micros(seconds: windowSeconds)
        return series.values.withUnsafeBufferPointer { values in
            // Walking back: the change into each reading, and whether it turns against the one after it.
            var turns = 0
            var later = Float.nan, laterChange: Float = 0
            var index = row
            var readings = 0
            while index >= firstReadable, times[index] >= windowStart {
                let value = values[index * Vital.count + column]
                index -= 1
                guard !value.isNaN else { continue }
                readings += 1
                if !later.isNaN {
                    let change = later - value
                    // The row's own reading must be one of the jumps: a steady rate after a burst is the heart again.
                    if readings == 2, abs(change) < jumpPerMinute { return false }
                    if abs(change) >= jumpPerMinute {
                        if laterChange != 0, (change > 0) != (laterChange > 0) {
                            turns += 1
                            if turns >= reversals { return true }
                        }
                        laterChange = change
                    } else {
                        laterChange = 0
                    }
                }
                later = value
            }
            return false
        }
    }

    /// Whether a zigzag at `row` is a fibrillation: the oximeter, reading
    /// before (`oximeterReadings` plausible readings within
    /// `oximeterReadingSeconds` up to its last; `spo2`: its plausible range),
    /// has read nothing since, for `oximeterLostSeconds` at least and
    /// `oximeterLostLongestSeconds` at most, and the heart rate has zigzagged
    /// at half its readings since or more (diathermy comes in bursts).
    /// Reads rows from `firstReadable` on.
    func isFibrillation(_ series: SampleBatch, row: Int, from firstReadable: Int, spo2 plausible: ClosedRange<Float>) -> Bool {
        guard oximeterLostSeconds > 0 else { return false }
        let times = series.timestamps, now = times[row]
        let oximeter = Vital.spo2.rawValue, heart = Vital.hr.rawValue
        // The oximeter's last reading, and the readings up to it.
        var index = row, last = -1, readings = 0
        while index >= firstReadable {
            let time = times[index]
            if last < 0, time < now - Timestamp.micros(seconds: oximeterLostLongestSeconds) { return false }
            if last >= 0, time < times[last] - Timestamp.micros(seconds: oximeterReadingSeconds) { break }
            if plausible.contains(series.values[index * Vital.count + oximeter]) {
                if last < 0 {
                    if time > now - Timestamp.micros(seconds: oximeterLostSeconds) { return false }   // it still reads
                    last = index
                }
                readings += 1
                if readings >= oximeterReadings { break }
            }
            index -= 1
        }
        guard last >= 0, readings >= oximeterReadings else { return false }
        var zigzags = 0, total = 0
        for reading in (last + 1)...row where !series.values[reading * Vital.count + heart].isNaN {
            total += 1
            if isArtefact(series, row: reading, from: firstReadable) { zigzags += 1 }
        }
        return 2 * zigzags >= total
    }

    /// How far back from a row the judgement reads.
    public var lookbackSeconds: Double { max(windowSeconds, oximeterLostLongestSeconds + oximeterReadingSeconds) }
}
