import PhysioCore
import PhysioPlatform

/// A simulated case: its samples and the ground truth behind them.
public struct SimulatedCase: Sendable {
    public let caseID: String
    public let batch: SampleBatch
    public let events: [DeteriorationEvent]
    public let artefacts: [SimulatedArtefact]
    /// What the case's monitor sends.
    public let feed: MonitorFeed

    public var hasArterialLine: Bool { feed.pressureSource == .arterialLine }
}

/// Generates synthetic intra-operative cases, one row per second.
/// Pure and deterministic: case n depends only on (seed, n) and the
/// parameters, never on how many cases are generated or in which order.
///
/// Three layers, each from its own random streams (`SimulationStreams`):
/// the patient's true course with its events (`PatientProfile`,
/// `EventSchedule`, `PatientCourse`); the monitor measuring it through the
/// devices of the case's feed (`MonitorFeed`, `MonitorMeasurement`); and
/// the monitor's artefacts (`ArtefactPlanner`). So the same case under
/// another feed is the same patient, seen through other devices.
public enum CaseSimulator {
    public static func simulate(caseNumber: Int, parameters: SimulationParameters) -> SimulatedCase {
        simulate(caseNumber: caseNumber, parameters: parameters, events: nil)
    }

    /// Case n with these events instead of the schedule's (nil: the schedule's).
    static func simulate(caseNumber: Int, parameters: SimulationParameters, events chosen: [DeteriorationEvent]?) -> SimulatedCase {
        let streams = SimulationStreams(seed: parameters.seed, caseNumber: caseNumber)
        let (profile, events, course) = patient(parameters: parameters, streams: streams, events: chosen)
        var feedRandom = streams.random(.feed)
        let feed = parameters.feeds.feed(arterialLineFraction: parameters.arterialLineFraction, using: &feedRandom)
        var (signals, cuffArtefacts) = MonitorMeasurement.measure(course, profile: profile, feed: feed, streams: streams)
        let artefacts = ArtefactPlanner.lay(on: &signals, feed: feed, streams: streams) + cuffArtefacts
        signals.keep(only: feed.vitals)

        let caseID = parameters.caseID(caseNumber)
        return SimulatedCase(caseID: caseID, batch: signals.batch(caseID: caseID, startMicros: parameters.startMicros),
                             events: events,
                             artefacts: artefacts.sorted { ($0.start, $0.kind.rawValue) < ($1.start, $1.kind.rawValue) },
                             feed: feed)
    }

    /// The true course of case n (no monitor, no artefacts): what the
    /// measured signals are judged against.
    static func course(caseNumber: Int, parameters: SimulationParameters, events: [DeteriorationEvent]? = nil) -> SimulatedSignals {
        patient(parameters: parameters, streams: SimulationStreams(seed: parameters.seed, caseNumber: caseNumber), events: events).course
    }

    private static func patient(parameters: SimulationParameters, streams: SimulationStreams, events chosen: [DeteriorationEvent]?)
        -> (profile: PatientProfile, events: [DeteriorationEvent], course: SimulatedSignals) {
        let seconds = parameters.secondsPerCase
        var patient = streams.random(.patient)
        let profile = PatientProfile.draw(using: &patient)
        let events = chosen ?? EventSchedule.draw(seconds: seconds, parameters: parameters, streams: streams)
        var courseRandom = streams.random(.course)
        return (profile, events, PatientCourse.simulate(profile: profile, events: events, seconds: seconds, using: &courseRandom))
    }
}
