import PhysioCore
import PhysioPlatform

/// One injected event and its label. Times are seconds from the start of
/// the case (the case CSV's `t_seconds`).
public struct DeteriorationEvent: Sendable {
    public let kind: DeteriorationKind
    /// The first second a vital moves away from the patient's course.
    public let onset: Int
    /// The kind's primary vitals are all at full effect.
    public let peak: Int
    /// Recovery starts (treatment works, the stimulus stops).
    public let plateauEnd: Int
    /// Every vital is back on the patient's course.
    public let end: Int
    let effects: [DeteriorationEffect]

    /// Severity of the primary vitals: 0 outside the event, rising to 1 at
    /// the peak (slow start: the first seconds barely show), 1 on the
    /// plateau, back to 0 by the end.
    public func severity(at second: Int) -> Double {
        guard second >= onset, second < end else { return 0 }
        let primary = effects.filter { kind.primaryVitals.contains($0.vital) }
        return (primary.isEmpty ? effects : primary).map { severity(of: $0, at: second) }.min() ?? 0
    }

    func severity(of effect: DeteriorationEffect, at second: Int) -> Double {
        effect.severity(at: second, onset: onset, plateauEnd: plateauEnd)
    }

    /// Draws an event of a generated `kind` starting at `onset`.
    static func draw(_ kind: DeteriorationKind, onset: Int, using random: inout SimulationRandom) -> DeteriorationEvent {
        guard let cause = kind.cause else { preconditionFailure("\(kind.rawValue) is an old name, not generated") }
        let shape = cause.shape(nearMiss: kind.eventClass == .nearMiss, using: &random)
        let primary = shape.effects.filter { kind.primaryVitals.contains($0.vital) }
        let peak = onset + (primary.isEmpty ? shape.effects : primary).map(\.fullAfter).max()!
        let plateauEnd = peak + shape.plateau
        let end = shape.effects.map { plateauEnd + $0.fall }.max()!
        return DeteriorationEvent(kind: kind, onset: onset, peak: peak, plateauEnd: plateauEnd, end: end, effects: shape.effects)
    }

    func moved(by offset: Int) -> DeteriorationEvent {
        DeteriorationEvent(kind: kind, onset: onset + offset, peak: peak + offset, plateauEnd: plateauEnd + offset,
                           end: end + offset, effects: effects)
    }
}
