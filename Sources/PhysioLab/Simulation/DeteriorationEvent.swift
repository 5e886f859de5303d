import PhysioCore
import PhysioPlatform

/// One injected deterioration and its label. Times are seconds from the
/// start of the case (the case CSV's `t_seconds`).
public struct DeteriorationEvent: Sendable {
    public let kind: DeteriorationKind
    /// The first second the vitals move away from the patient's course.
    public let onset: Int
    /// Full severity is reached (end of the ramp).
    public let peak: Int
    /// Recovery starts.
    public let plateauEnd: Int
    /// Back on the patient's course.
    public let end: Int
    let effects: [DeteriorationEffect]

    /// 0 outside the event, 1 on the plateau, a smooth S-curve on the ramp
    /// and the recovery (slow start, so the first minute barely shows).
    public func severity(at second: Int) -> Double {
        guard second >= onset, second < end else { return 0 }
        if second < peak { return smoothstep(Double(second - onset) / Double(peak - onset)) }
        if second < plateauEnd { return 1 }
        return 1 - smoothstep(Double(second - plateauEnd) / Double(end - plateauEnd))
    }

    /// Draws an event of `kind` starting at `onset`.
    static func draw(_ kind: DeteriorationKind, onset: Int, using random: inout SimulationRandom) -> DeteriorationEvent {
        let phases = kind.phaseMinutes
        let ramp = max(30, Int(random.uniform(phases.ramp) * 60))
        let plateau = max(60, Int(random.uniform(phases.plateau) * 60))
        let recovery = max(30, Int(random.uniform(phases.recovery) * 60))
        return DeteriorationEvent(kind: kind, onset: onset, peak: onset + ramp, plateauEnd: onset + ramp + plateau,
                                  end: onset + ramp + plateau + recovery, effects: kind.effects(using: &random))
    }
}

@inline(__always)
func smoothstep(_ x: Double) -> Double {
    let t = min(max(x, 0), 1)
    return t * t * (3 - 2 * t)
}

/// The `events.csv` a simulation writes:
/// `case_id,event,onset_t_seconds,peak_t_seconds,end_t_seconds`.
public enum EventLabelsCSV {
    public static let header = "case_id,event,onset_t_seconds,peak_t_seconds,end_t_seconds"

    public static func line(caseID: String, _ event: DeteriorationEvent) -> String {
        "\(caseID),\(event.kind.rawValue),\(event.onset),\(event.peak),\(event.end)"
    }

    /// A parsed label row.
    public struct Label: Sendable, Equatable {
        public let caseID: String
        public let kind: DeteriorationKind
        public let onset: Int
        public let peak: Int
        public let end: Int
    }

    /// Parses one data line (not the header); nil when malformed.
    public static func parse(line: some StringProtocol) -> Label? {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 5, let kind = DeteriorationKind(rawValue: String(fields[1])),
              let onset = Int(fields[2]), let peak = Int(fields[3]), let end = Int(fields[4]) else { return nil }
        return Label(caseID: String(fields[0]), kind: kind, onset: onset, peak: peak, end: end)
    }
}
