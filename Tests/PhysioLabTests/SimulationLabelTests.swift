@testable import PhysioLab
import PhysioCore
import Testing
import PhysioPlatform

@Suite("Simulation label files")
struct SimulationLabelTests {
    @Test("events.csv and feeds.csv read back as written, one feed row per case, headers first")
    func roundTrip() throws {
        let cases = (1...8).map { number in
            SimulatedLabels(simulate(number, hours: 2) { $0.feeds = .among(MonitorFeed.allCases); $0.eventsPerHour = 1.5 })
        }
        let files = Dictionary(uniqueKeysWithValues: SimulationLabelFiles.files(cases).map { ($0.name, $0.text) })
        #expect(Set(files.keys) == ["events.csv", "feeds.csv", "artefacts.csv"])

        let eventLines = files["events.csv"]!.split(separator: "\n")
        #expect(eventLines.first.map(String.init) == EventLabelsCSV.header)
        let labels = eventLines.dropFirst().map { EventLabelsCSV.parse(line: $0) }
        let written = cases.flatMap { labels in labels.events.map { (labels.caseID, $0) } }
        #expect(labels.count == written.count && !written.isEmpty)
        for (label, (caseID, event)) in zip(labels, written) {
            #expect(label == .init(caseID: caseID, event: event.kind.rawValue, onset: event.onset, peak: event.peak, end: event.end))
            #expect(label?.eventClass == event.kind.eventClass)
        }

        let feedLines = files["feeds.csv"]!.split(separator: "\n")
        #expect(feedLines.first.map(String.init) == FeedLabelsCSV.header)
        let feeds = feedLines.dropFirst().compactMap { FeedLabelsCSV.parse(line: $0) }
        #expect(feeds.map(\.caseID) == cases.map(\.caseID) && feeds.map(\.feed) == cases.map(\.feed))

        let artefactLines = files["artefacts.csv"]!.split(separator: "\n")
        #expect(artefactLines.first.map(String.init) == ArtefactLabelsCSV.header)
        #expect(artefactLines.count == 1 + cases.map(\.artefacts.count).reduce(0, +))
    }

    @Test("labels of every kind parse, old kind names too; malformed lines do not")
    func parsing() {
        for kind in DeteriorationKind.allCases {
            #expect(EventLabelsCSV.parse(line: "sim-0001,\(kind.rawValue),1,2,3")?.kind == kind)
        }
        #expect(EventLabelsCSV.parse(line: "sim-0001,hypotension,10,20,30")
                == .init(caseID: "sim-0001", event: "hypotension", onset: 10, peak: 20, end: 30))
        #expect(EventLabelsCSV.parse(line: "sim-0001,hypotension,10,20,30")?.eventClass == .deterioration)
        #expect(EventLabelsCSV.parse(line: "sim-0001,haemorrhage_near_miss,1,2,3")?.eventClass == .nearMiss)
        #expect(EventLabelsCSV.parse(line: "sim-0001,surgical_stimulation,1,2,3")?.eventClass == .benign)
        // Another generator's kinds are read as written, their class from the name.
        let outside = EventLabelsCSV.parse(line: "nl-0031,hypothermia,6648,6869,7447")
        #expect(outside?.event == "hypothermia" && outside?.kind == nil && outside?.eventClass == .deterioration)
        #expect(EventLabelsCSV.parse(line: "nl-0031,hypothermia_near_miss,1,2,3")?.eventClass == .nearMiss)
        #expect(EventLabelsCSV.parse(line: "nl-0031,tourniquet_benign,1,2,3")?.eventClass == .benign)
        for bad in ["sim-0001,,1,2,3", ",haemorrhage,1,2,3", "sim-0001,haemorrhage,1,2", "sim-0001,haemorrhage,3,2,1",
                    "sim-0001,haemorrhage,a,2,3", "sim-0001,haemorrhage,1,2,3,4"] {
            #expect(EventLabelsCSV.parse(line: bad) == nil, "\(bad)")
        }
        #expect(FeedLabelsCSV.parse(line: "sim-0001,map_only")?.feed == .mapOnly)
        for bad in ["sim-0001,ecg", "sim-0001", ",all", "sim-0001,all,x"] { #expect(FeedLabelsCSV.parse(line: bad) == nil, "\(bad)") }
    }
}
