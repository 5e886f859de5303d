import PhysioPlatform

/// A temperature probe warming to the body: placed at the start of a case,
/// it reads the room and climbs to the core over minutes (25 → 36.5 °C), and
/// every reading below 35 °C on the way was a hypothermia the safety floor
/// alarmed (a sixth outside audit: each case whose monitor sent temperature,
/// in its first 15 minutes). A patient's core does not warm that fast: the
/// fastest rewarming in theatre (forced air, a bypass circuit) is a few
/// tenths of a degree a minute, and a fever climbs from above `below`.
///
/// A temperature reading below `below` that is at least `risePoints` above
/// the lowest plausible temperature reading of the last `seconds` is the
/// probe, not the patient: removed, and the hold of the reading before it
/// ends there (a probe's first reading is not held through its warming).
/// A patient cooling, or cold and steady, is kept; a malignant
/// hyperthermia rises above `below`. Judged from the raw samples of the
/// last `seconds` alone, so the one-row form, the series form and the
/// worker agree.
public struct ProbeWarming: Codable, Sendable, Equatable {
    public var below: Float
    public var risePoints: Float
    public var seconds: Double

    public init(below: Float = 36, risePoints: Float = 0.5, seconds: Double = 120) {
        self.below = below
        self.risePoints = risePoints
        self.seconds = seconds
        precondition(isValid)
    }

    public static let standard = ProbeWarming()

    var isValid: Bool { below.isFinite && risePoints > 0 && risePoints.isFinite && (0.001...3600).contains(seconds) }

    /// How far back from a row the judgement reads.
    public var lookbackSeconds: Double { seconds }

    /// Whether the temperature of `row` is a probe warming, reading rows from
    /// `firstReadable` on; `plausible`: the readings that count at all.
    func isWarming(_ series: SampleBatch, row: Int, from firstReadable: Int = 0, plausible: ClosedRange<Float>) -> Bool {
        let column = Vital.temp.rawValue
        let current = series.values[row * Vital.count + column]
        guard plausible.contains(current), current < below else { return false }
        let since = series.timestamps[row] - Timestamp.micros(seconds: seconds)
        return series.values.withUnsafeBufferPointer { values in
            var index = row - 1
            while index >= firstReadable, series.timestamps[index] >= since {
                let earlier = values[index * Vital.count + column]
                if plausible.contains(earlier), current - earlier >= risePoints { return true }
                index -= 1
            }
            return false
        }
    }

    enum CodingKeys: String, CodingKey {
        case below, risePoints = "rise_points", seconds
    }

    /// A model file's values are checked, not trusted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        below = try container.decode(Float.self, forKey: .below)
        risePoints = try container.decode(Float.self, forKey: .risePoints)
        seconds = try container.decode(Double.self, forKey: .seconds)
        guard isValid else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath,
                debugDescription: "probe_warming needs a finite ceiling, a positive rise and seconds within an hour"))
        }
    }
}
