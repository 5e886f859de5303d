import PhysioCore
import PhysioPlatform

/// What is kept of a simulated case once its samples are written.
public struct SimulatedLabels: Sendable {
    public let caseID: String
    public let events: [DeteriorationEvent]
    public let artefacts: [SimulatedArtefact]
    public let feed: MonitorFeed

    public init(_ simulated: SimulatedCase) {
        caseID = simulated.caseID
        events = simulated.events
        artefacts = simulated.artefacts
        feed = simulated.feed
    }
}

/// The label files written beside the cases: events.csv, feeds.csv and
/// artefacts.csv, rows in the order of `cases`.
public enum SimulationLabelFiles {
    public static func files(_ cases: [SimulatedLabels]) -> [(name: String, text: String)] {
        var events = EventLabelsCSV.header + "\n"
        var feeds = FeedLabelsCSV.header + "\n"
        var artefacts = ArtefactLabelsCSV.header + "\n"
        for labels in cases {
            for event in labels.events { events += EventLabelsCSV.line(caseID: labels.caseID, event) + "\n" }
            feeds += FeedLabelsCSV.line(caseID: labels.caseID, labels.feed) + "\n"
            for artefact in labels.artefacts { artefacts += ArtefactLabelsCSV.line(caseID: labels.caseID, artefact) + "\n" }
        }
        return [("events.csv", events), ("feeds.csv", feeds), ("artefacts.csv", artefacts)]
    }
}
