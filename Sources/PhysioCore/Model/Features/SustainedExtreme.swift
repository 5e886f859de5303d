import PhysioPlatform

/// A reading below a vital's plausible range that persists is the patient:
/// asystole (HR 0), apnoea (RR 0), profound desaturation (SpO2 below 50 %,
/// not 0: a probe off). HR 0 beside an arterial line that still beats
/// (`PulseElsewhere`) is the ECG's leads, not asystole.
/// Rule 1 of `ArtefactFilter` removes such a reading as a probe or charting
/// error, which a lone one is (cautery on the ECG for a second or two, a
/// charted 0 in an ICU chart); but one that every reading of the last
/// `seconds` repeats, readings no more than `maximumGapSeconds` apart, is
/// what a monitor alarms on at once, and so must the rules. A record of one
/// row a minute, on time or a little late, makes a run from its second
/// reading; an ICU chart's hourly zeros never do. A negative reading is no
/// reading (a monitor sends none; noise around a zero in a generated or
/// filtered signal, or a sentinel such as −1, does): it is removed and
/// neither makes nor breaks a run, so an asystole read as 0 ± 0.4 is kept
/// at its non-negative readings and a constant −1 never alarms. Pressures are
/// not restored: an arterial line open to air reads 0 ± a few mmHg for
/// minutes before it is connected, which a pressure cannot be told apart from.
///
/// Above the range the same holds for the vitals of `above` (HR): a heart
/// rate past 250 /min at every reading for 20 s is a tachyarrhythmia (an
/// infant's supraventricular tachycardia, atrial flutter conducted 1:1), not
/// cautery's second or two of noise, and an evaluator labelling the values a
/// monitor sent counts it as a breach of HR > 140. A run is one side's: readings
/// swinging between 0 and 300 (leads off, noise) are no run; and above the
/// range it needs three readings, so two noisy ones 20 s apart with the
/// monitor silent between them (cautery; the third generator's cases) are none.
///
/// Judged from the raw samples of the last `lookbackSeconds` alone, so the
/// one-row form, the series form and the worker agree.
public struct SustainedExtreme: Codable, Sendable, Equatable {
    public var vitals: [Vital]
    /// Vitals whose readings above the range are kept too once they last.
    public var above: [Vital]
    public var seconds: Double
    public var maximumGapSeconds: Double

    public init(vitals: [Vital] = [.hr, .spo2, .rr], above: [Vital] = [.hr], seconds: Double = 20, maximumGapSeconds: Double = 90) {
        self.vitals = vitals
        self.above = above
        self.seconds = seconds
        self.maximumGapSeconds = maximumGapSeconds
        precondition(isValid)
    }

    public static let standard = SustainedExtreme()

    /// Seconds that become microseconds without trapping.
    var isValid: Bool { (0...3600).contains(seconds) && (0...3600).contains(maximumGapSeconds) }

    /// How far back from a row the judgement reads: a reading at least
    /// `seconds` old, at most `maximumGapSeconds` before that.
    public var lookbackSeconds: Double { seconds + maximumGapSeconds }

    /// A value a monitor sends as a reading: not below 0, and for SpO2 not 0
    /// (a probe off: no saturation reads 0, and an arrest blanks the oximeter).
    static func isReading(_ value: Float, of vital: Vital) -> Bool { vital == .spo2 ? value > 0 : value >= 0 }

    /// A reading below the range that a monitor can send.
    static func isExtreme(_ value: Float, of vital: Vital, lowest: Float) -> Bool { isReading(value, of: vital) && value < lowest }

    /// Whether the raw `vital` of `row`, itself past `limit` (the caller checks,
    /// before anything is read back), has been past it on the same side at every
    /// reading of the last `seconds`, reading rows from `firstReadable` on:
    /// below `limit`, or above it when `isAbove`.
    func isSustained(_ series: SampleBatch, vital: Vital, row: Int, from firstReadable: Int, limit: Float, isAbove: Bool = false) -> Bool {
        let column = vital.rawValue
        return series.values.withUnsafeBufferPointer { values in
            LastingRun.holds(series.timestamps, row: row, from: firstReadable, seconds: seconds, maximumGapSeconds: maximumGapSeconds,
                             minimumReadings: isAbove ? 3 : 2,
                             isReading: { Self.isReading(values[$0 * Vital.count + column], of: vital) },   // false for NaN
                             holds: {
                                 let value = values[$0 * Vital.count + column]
                                 return isAbove ? value > limit : Self.isExtreme(value, of: vital, lowest: limit)
                             })
        }
    }

    enum CodingKeys: String, CodingKey {
        case vitals, above, seconds, maximumGapSeconds = "maximum_gap_seconds"
    }

    /// A model file's values are checked, not trusted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let names = try container.decode([String].self, forKey: .vitals)
        vitals = try names.map { name in
            guard let vital = Vital(name: name) else {
                throw DecodingError.dataCorruptedError(forKey: .vitals, in: container, debugDescription: "unknown vital \(name)")
            }
            return vital
        }
        // Policy, not learned: a model written before `above` existed keeps HR's too.
        above = try (container.decodeIfPresent([String].self, forKey: .above) ?? Self.standard.above.map(\.name)).map { name in
            guard let vital = Vital(name: name) else {
                throw DecodingError.dataCorruptedError(forKey: .above, in: container, debugDescription: "unknown vital \(name)")
            }
            return vital
        }
        seconds = try container.decode(Double.self, forKey: .seconds)
        maximumGapSeconds = try container.decode(Double.self, forKey: .maximumGapSeconds)
        guard isValid else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath,
                                                    debugDescription: "sustained_extreme needs seconds within an hour"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vitals.map(\.name), forKey: .vitals)
        try container.encode(above.map(\.name), forKey: .above)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(maximumGapSeconds, forKey: .maximumGapSeconds)
    }
}
