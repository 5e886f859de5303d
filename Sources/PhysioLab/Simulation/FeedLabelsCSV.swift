import PhysioCore
import PhysioPlatform

/// The `feeds.csv` a simulation writes beside events.csv: `case_id,feed`.
public enum FeedLabelsCSV {
    public static let header = "case_id,feed"

    public static func line(caseID: String, _ feed: MonitorFeed) -> String { "\(caseID),\(feed.rawValue)" }

    /// Parses one data line (not the header); nil when malformed.
    public static func parse(line: some StringProtocol) -> (caseID: String, feed: MonitorFeed)? {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 2, !fields[0].isEmpty, let feed = MonitorFeed(rawValue: String(fields[1])) else { return nil }
        return (String(fields[0]), feed)
    }
}
