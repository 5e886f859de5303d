import PhysioCore
import PhysioPlatform

/// Places a case's deterioration events: a Poisson number of them (rate per
/// hour), kinds equally likely, none in the first 15 minutes (induction and
/// line placement), none running past the end, and at least 10 minutes of
/// undisturbed course between two events so each is a separate episode with
/// its own warning window.
enum EventSchedule {
    static let earliestOnset = 15 * 60
    static let separation = 10 * 60
    static let attempts = 50

    static func draw(seconds: Int, perHour: Double, using random: inout SimulationRandom) -> [DeteriorationEvent] {
        let wanted = random.poisson(mean: perHour * Double(seconds) / 3600)
        var events: [DeteriorationEvent] = []
        for _ in 0..<wanted {
            let kind = DeteriorationKind.allCases[Int(random.unit() * Double(DeteriorationKind.allCases.count))]
            let shape = DeteriorationEvent.draw(kind, onset: 0, using: &random)
            let latestOnset = seconds - 60 - shape.end
            guard latestOnset > earliestOnset else { continue }
            for _ in 0..<attempts {
                let onset = earliestOnset + Int(random.unit() * Double(latestOnset - earliestOnset))
                let candidate = shape.moved(by: onset)
                let clear = events.allSatisfy { other in
                    candidate.end + separation <= other.onset || other.end + separation <= candidate.onset
                }
                if clear { events.append(candidate); break }
            }
        }
        return events.sorted { $0.onset < $1.onset }
    }
}

extension DeteriorationEvent {
    func moved(by offset: Int) -> DeteriorationEvent {
        DeteriorationEvent(kind: kind, onset: onset + offset, peak: peak + offset, plateauEnd: plateauEnd + offset,
                           end: end + offset, effects: effects)
    }
}
