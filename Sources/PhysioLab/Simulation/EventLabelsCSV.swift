import PhysioCore
import PhysioPlatform

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

    /// Parses one data line (not the header); nil when malformed. Reads the
    /// old kind names too (`hypotension`, `desaturation`, …).
    public static func parse(line: some StringProtocol) -> Label? {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 5, let kind = DeteriorationKind(rawValue: String(fields[1])),
              let onset = Int(fields[2]), let peak = Int(fields[3]), let end = Int(fields[4]),
              onset <= peak, peak <= end else { return nil }
        return Label(caseID: String(fields[0]), kind: kind, onset: onset, peak: peak, end: end)
    }
}
