import PhysioCore
import PhysioPlatform

/// How an event moves one vital, and when. Each vital keeps its own clock:
/// in a haemorrhage the pressure falls first and the heart rate follows
/// minutes later; in an airway disconnection EtCO2 is gone within breaths
/// while SpO2 holds on the oxygen stores before it falls.
///
/// Severity s ∈ [0, 1] of one effect: 0 until `delay` seconds after the
/// event's onset, an S-curve up over `rise` seconds, held until the event's
/// plateau ends (treatment starts or the stimulus stops), then an S-curve
/// back to 0 over `fall` seconds from wherever it had got to.
struct DeteriorationEffect: Sendable {
    enum Change: Sendable {
        /// Pull the vital towards this value.
        case target(Double)
        /// Add this amount, never carrying the vital past `limit` in the
        /// direction of the change (nil: no limit). A vital already past
        /// the limit is left where it is.
        case shift(Double, limit: Double?)
    }

    let vital: Vital
    let change: Change
    let delay: Int
    let rise: Int
    let fall: Int

    init(_ vital: Vital, _ change: Change, delay: Int = 0, rise: Int, fall: Int) {
        self.vital = vital
        self.change = change
        self.delay = max(0, delay)
        self.rise = max(1, rise)
        self.fall = max(1, fall)
    }

    /// The undisturbed `value` moved by this effect at severity s.
    func apply(to value: Double, severity: Double) -> Double {
        switch change {
        case .target(let target):
            return value + severity * (target - value)
        case .shift(let amount, let limit):
            var moved = value + amount
            if let limit { moved = amount > 0 ? min(moved, max(value, limit)) : max(moved, min(value, limit)) }
            return value + severity * (moved - value)
        }
    }

    /// Severity at `second` of an event with this onset and plateau end.
    func severity(at second: Int, onset: Int, plateauEnd: Int) -> Double {
        let start = onset + delay
        guard second >= start else { return 0 }
        if second < plateauEnd { return smoothstep(Double(second - start) / Double(rise)) }
        let reached = plateauEnd > start ? smoothstep(Double(plateauEnd - start) / Double(rise)) : 0
        return reached * (1 - smoothstep(Double(second - plateauEnd) / Double(fall)))
    }

    /// Seconds from the event's onset to full effect.
    var fullAfter: Int { delay + rise }
}

@inline(__always)
func smoothstep(_ x: Double) -> Double {
    let t = min(max(x, 0), 1)
    return t * t * (3 - 2 * t)
}
