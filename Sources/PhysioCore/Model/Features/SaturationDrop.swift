import PhysioPlatform

/// An oximeter reading that falls faster than blood can desaturate: motion,
/// poor perfusion or electrocautery, the commonest false SpO2 alarm
/// (Lawless, Crit Care Med 1994;22:981).
///
/// An oximeter averages over about 8–10 s, and a patient saturated in the
/// flat upper part of the dissociation curve loses a few points a minute
/// even in apnoea: a displayed fall of `fallPoints` or more within
/// `fallSeconds` from a level of at least `reference` is not the patient.
/// From that sample, SpO2 is an artefact while it stays more than
/// `recoveryPoints` below the level before the fall, for at most
/// `maximumSeconds` after the last reading at that level: a real
/// desaturation hidden behind such a fall counts again after that, as a
/// monitor's own SpO2 alarm delay would let it.
///
/// Judged from the raw samples of the last `lookbackSeconds` alone (not
/// from what was removed before), so the one-row form and the series form
/// agree and a sample's result does not change when later data arrive.
public struct SaturationDrop: Codable, Sendable, Equatable {
    public var fallPoints: Float
    public var fallSeconds: Double
    public var reference: Float
    public var recoveryPoints: Float
    public var maximumSeconds: Double

    public init(fallPoints: Float = 6, fallSeconds: Double = 5, reference: Float = 94,
                recoveryPoints: Float = 3, maximumSeconds: Double = 30) {
        self.fallPoints = fallPoints
        self.fallSeconds = fallSeconds
        self.reference = reference
        self.recoveryPoints = recoveryPoints
        self.maximumSeconds = maximumSeconds
        precondition(isValid)
    }

    public static let standard = SaturationDrop()

    /// A fall deeper than its recovery margin, and seconds that become
    /// microseconds without trapping.
    var isValid: Bool {
        reference.isFinite && fallPoints.isFinite && recoveryPoints >= 0 && fallPoints > recoveryPoints
            && (0.001...3600).contains(fallSeconds) && (0...3600).contains(maximumSeconds)
    }

    enum CodingKeys: String, CodingKey {
        case fallPoints = "fall_points", fallSeconds = "fall_seconds", reference
        case recoveryPoints = "recovery_points", maximumSeconds = "maximum_seconds"
    }

    /// A model file's values are checked, not trusted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fallPoints = try container.decode(Float.self, forKey: .fallPoints)
        fallSeconds = try container.decode(Double.self, forKey: .fallSeconds)
        reference = try container.decode(Float.self, forKey: .reference)
        recoveryPoints = try container.decode(Float.self, forKey: .recoveryPoints)
        maximumSeconds = try container.decode(Double.self, forKey: .maximumSeconds)
        guard isValid else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath,
                debugDescription: "saturation_drop needs fall_points > recovery_points >= 0 and seconds within an hour"))
        }
    }

    /// How far back from a row the judgement reads.
    public var lookbackSeconds: Double { maximumSeconds + fallSeconds }

    /// Whether the SpO2 of `row` is part of such a fall, reading rows from
    /// `firstReadable` on. `plausible`: the readings that count at all (the
    /// filter's range; others are removed anyway).
    func isArtefact(_ series: SampleBatch, row: Int, from firstReadable: Int = 0, plausible: ClosedRange<Float>) -> Bool {
        let times = series.timestamps
        return series.values.withUnsafeBufferPointer { values in
            func saturation(_ row: Int) -> Float? {
                let value = values[row * Vital.count + Vital.spo2.rawValue]
                return plausible.contains(value) ? value : nil
            }
            // Nothing can be more than `recoveryPoints` above the top of the range.
            guard let current = saturation(row), current < plausible.upperBound - recoveryPoints else { return false }
            let maximumMicros = Timestamp.micros(seconds: maximumSeconds)
            let windowStart = times[row] - maximumMicros
            let fallMicros = Timestamp.micros(seconds: fallSeconds)
            // Cheap common case: nothing in reach was high enough above this reading.
            var first = row
            var highestInReach = -Float.infinity
            while first > firstReadable, times[first - 1] >= windowStart - fallMicros {
                first -= 1
                if let value = saturation(first) { highestInReach = max(highestInReach, value) }
            }
            guard current < highestInReach - recoveryPoints else { return false }
            // A fall at `start` (at or after windowStart) that has not recovered since.
            var highestSince = current
            var start = row
            while start >= firstReadable, times[start] >= windowStart {
                if let value = saturation(start) {
                    highestSince = max(highestSince, value)
                    var before = -Float.infinity, earlier = start - 1
                    while earlier >= firstReadable, times[earlier] >= times[start] - fallMicros {
                        if let value = saturation(earlier) { before = max(before, value) }
                        earlier -= 1
                    }
                    if before >= reference, value <= before - fallPoints, highestSince < before - recoveryPoints {
                        // Timed from the last reading still at the level.
                        var level = start - 1   // found within the fall's seconds, where `before` was read
                        while !(saturation(level).map { $0 >= before - recoveryPoints } ?? false) { level -= 1 }
                        if times[row] - times[level] <= maximumMicros { return true }
                    }
                }
                start -= 1
            }
            return false
        }
    }
}
