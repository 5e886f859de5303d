import PhysioCore
import PhysioPlatform

/// Places a case's events: Poisson numbers of deteriorations, near misses
/// and benign stimulations (each at its rate per hour, from its own random
/// stream), the mid-case causes equally likely within a class. Emergence
/// happens once, at the end, whatever the case's length: its deterioration
/// and its near miss each with the chance the class's rate gives one cause
/// in one hour (rate ÷ 6), starting in the last 30 minutes. None starts in
/// the first 15 minutes (induction and line placement) or runs past the
/// last minute. Two events are at least 10 minutes apart, so each is a
/// separate episode with its own warning window. Deteriorations are placed
/// first; an event that finds no room in 50 tries is left out.
enum EventSchedule {
    static let earliestOnset = 15 * 60
    static let emergenceWindow = 30 * 60
    static let separation = 10 * 60
    static let attempts = 50

    static func draw(seconds: Int, parameters: SimulationParameters, streams: SimulationStreams) -> [DeteriorationEvent] {
        var events: [DeteriorationEvent] = []
        let classes: [(kinds: [DeteriorationKind], perHour: Double, stream: SimulationStreams.Channel)] = [
            (DeteriorationKind.deteriorations, parameters.eventsPerHour, .deteriorations),
            (DeteriorationKind.nearMisses, parameters.nearMissesPerHour, .nearMisses),
            ([.surgicalStimulation], parameters.stimulationsPerHour, .stimulations),
        ]
        for (kinds, perHour, stream) in classes {
            var random = streams.random(stream)
            let midCase = kinds.filter { $0.cause != .emergenceHypertension }
            var drawn = (0..<random.poisson(mean: perHour * Double(seconds) / 3600)).map { _ in
                midCase[min(midCase.count - 1, Int(random.unit() * Double(midCase.count)))]
            }
            // Emergence first: its place at the end is the narrower one.
            if let emergence = kinds.first(where: { $0.cause == .emergenceHypertension }),
               random.chance(min(1, perHour / Double(kinds.count))) {
                drawn.insert(emergence, at: 0)
            }
            for kind in drawn {
                let shape = DeteriorationEvent.draw(kind, onset: 0, using: &random)
                if let placed = place(shape, seconds: seconds, among: events, using: &random) { events.append(placed) }
            }
        }
        return events.sorted { $0.onset < $1.onset }
    }

    private static func place(_ shape: DeteriorationEvent, seconds: Int, among events: [DeteriorationEvent],
                              using random: inout SimulationRandom) -> DeteriorationEvent? {
        let earliest = shape.kind.cause == .emergenceHypertension ? max(earliestOnset, seconds - emergenceWindow) : earliestOnset
        let latest = seconds - 60 - shape.end
        guard latest > earliest else { return nil }
        for _ in 0..<attempts {
            let candidate = shape.moved(by: earliest + Int(random.unit() * Double(latest - earliest)))
            let clear = events.allSatisfy { other in
                candidate.end + separation <= other.onset || other.end + separation <= candidate.onset
            }
            if clear { return candidate }
        }
        return nil
    }
}
