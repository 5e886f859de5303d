import PhysioCore
import PhysioPlatform

/// The `events.csv` a simulation writes:
/// `case_id,event,onset_t_seconds,peak_t_seconds,end_t_seconds`.
public enum EventLabelsCSV {
    public static let header = "case_id,event,onset_t_seconds,peak_t_seconds,end_t_seconds"

    public static func line(caseID: String, _ event: DeteriorationEvent) -> String {
        "\(caseID),\(event.kind.rawValue),\(event.onset),\(event.peak),\(event.end)"
    }

    /// A parsed label row. `event` is any kind name: the simulator's
    /// (`DeteriorationKind`), or another generator's own.
    public struct Label: Sendable, Equatable {
        public let caseID: String
        public let event: String
        public let onset: Int
        public let peak: Int
        public let end: Int

        /// The simulator's kind, or nil for another generator's.
        public var kind: DeteriorationKind? { DeteriorationKind(rawValue: event) }
        public var eventClass: EventClass { EventLabelsCSV.eventClass(of: event) }
    }

    /// Parses one data line (not the header); nil when malformed. Reads the
    /// old kind names too (`hypotension`, `desaturation`, …), and kinds the
    /// simulator does not know, so that another generator's labels are read
    /// as written: their class from the name (`…_near_miss` a near miss,
    /// `…_benign` a benign change, anything else a deterioration).
    public static func parse(line: some StringProtocol) -> Label? {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 5, !fields[0].isEmpty, !fields[1].isEmpty,
              let onset = Int(fields[2]), let peak = Int(fields[3]), let end = Int(fields[4]),
              onset <= peak, peak <= end else { return nil }
        return Label(caseID: String(fields[0]), event: String(fields[1]), onset: onset, peak: peak, end: end)
    }

    /// The class of a kind name: the simulator's own, else read from its suffix.
    public static func eventClass(of event: String) -> EventClass {
        if let kind = DeteriorationKind(rawValue: event) { return kind.eventClass }
        if event.hasSuffix("_near_miss") { return .nearMiss }
        if event.hasSuffix("_benign") { return .benign }
        return .deterioration
    }
}
