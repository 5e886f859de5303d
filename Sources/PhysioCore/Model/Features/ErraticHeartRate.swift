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
/// Not seen through: a ventricular fibrillation whose displayed rate jumps
/// so is missing HR here; the pressures (`PulselessLine`) and the oximeter
/// still show it. Keeping a zigzag that lasted 30 s was tried and not kept:
/// an outside audit's series of diathermy bursts alarmed (docs/detector.md).
public struct ErraticHeartRate: Codable, Sendable, Equatable {
    public var jumpPerMinute: Float
    public var windowSeconds: Double
    public var reversals: Int

    public init(jumpPerMinute: Float = 20, windowSeconds: Double = 10, reversals: Int = 2) {
        self.jumpPerMinute = jumpPerMinute
        self.windowSeconds = windowSeconds
        self.reversals = reversals
        precondition(isValid)
    }

    public static let standard = ErraticHeartRate()

    var isValid: Bool { jumpPerMinute > 0 && jumpPerMinute.isFinite && (0.001...600).contains(windowSeconds) && reversals >= 1 }

    enum CodingKeys: String, CodingKey {
        case jumpPerMinute = "jump_per_minute", windowSeconds = "window_seconds", reversals
    }

    /// A model file's values are checked, not trusted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        jumpPerMinute = try container.decode(Float.self, forKey: .jumpPerMinute)
        windowSeconds = try container.decode(Double.self, forKey: .windowSeconds)
        reversals = try container.decode(Int.self, forKey: .reversals)
        guard isValid else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath,
                debugDescription: "erratic_heart_rate needs a positive jump, a window within 10 minutes and at least one reversal"))
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

    /// How far back from a row the judgement reads.
    public var lookbackSeconds: Double { windowSeconds }
}
