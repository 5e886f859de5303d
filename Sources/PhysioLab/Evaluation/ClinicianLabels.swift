import PhysioCore
import PhysioPlatform

/// One action of the review trail, as `GET /exports/annotations` writes it
/// (CSV columns by name): who acknowledged or annotated which episode, and
/// what raised that episode and which clinical rules it crossed.
public struct ClinicianLabel: Sendable, Equatable {
    public let actionID: Int64
    public let caseID: String
    /// The episode that holds the action now; nil when it no longer exists.
    public let episodeID: Int64?
    public let action: ReviewAction
    public let verdict: ReviewVerdict?
    public let reason: ReviewReason?
    public let reviewer: String
    /// When the action was recorded, µs since the epoch.
    public let at: Int64
    /// `model`, `rule` or `both`: what raised the episode that holds it now.
    public let source: String?
    /// The clinical rules that episode crossed (none: no threshold was crossed).
    public let rules: [String]
    /// The episode as the reviewer saw it (`reviewed_start`…`reviewed_end`, µs); nil when the file has no such columns.
    public let reviewedSpan: ClosedRange<Int64>?

    public init(actionID: Int64, caseID: String, episodeID: Int64?, action: ReviewAction, verdict: ReviewVerdict?,
                reason: ReviewReason?, reviewer: String, at: Int64, source: String?, rules: [String],
                reviewedSpan: ClosedRange<Int64>? = nil) {
        self.actionID = actionID
        self.caseID = caseID
        self.episodeID = episodeID
        self.action = action
        self.verdict = verdict
        self.reason = reason
        self.reviewer = reviewer
        self.at = at
        self.source = source
        self.rules = rules
        self.reviewedSpan = reviewedSpan
    }

    /// The columns this reads; the export has more (times, notes), which are not needed here.
    public static let columns = ["action_id", "case_id", "episode_id", "action", "verdict", "reason", "reviewer", "at",
                                 "episode_source", "episode_rules"]

    /// Reads the rows of an annotations export (`header` names the columns);
    /// `where(n)` names row n in errors (e.g. "annotations.csv:3").
    public static func read(header: [String], rows: [[String]], where place: (Int) -> String) throws -> [ClinicianLabel] {
        var index: [String: Int] = [:]
        for name in columns {
            guard let column = header.firstIndex(of: name) else {
                throw LabelError("\(place(1)): no column \(name); expected an export of GET /exports/annotations (CSV)")
            }
            index[name] = column
        }
        // The reviewed span: optional, so a file cut to the columns above still gives the precision.
        let spanColumns = header.firstIndex(of: "reviewed_start").flatMap { start in header.firstIndex(of: "reviewed_end").map { (start, $0) } }
        return try rows.enumerated().map { number, row in
            let field = { (name: String) in row[index[name]!] }
            let at = place(number + 2)
            guard let actionID = Int64(field("action_id")), !field("case_id").isEmpty else { throw LabelError("\(at): no action_id or case_id") }
            guard let action = ReviewAction(rawValue: field("action")) else { throw LabelError("\(at): unknown action '\(field("action"))'") }
            let verdict = try optional(field("verdict"), ReviewVerdict.init, "verdict", at)
            let reason = try optional(field("reason"), ReviewReason.init, "reason", at)
            if action == .annotate && verdict == nil { throw LabelError("\(at): an annotation without a verdict") }
            guard let time = Timestamp.parseRFC3339(field("at")) else { throw LabelError("\(at): '\(field("at"))' is not a time") }
            let episode = field("episode_id")
            guard episode.isEmpty || Int64(episode) != nil else { throw LabelError("\(at): episode_id '\(episode)' is not a number") }
            let source = field("episode_source")
            guard source.isEmpty || ["model", "rule", "both"].contains(source) else { throw LabelError("\(at): unknown episode_source '\(source)'") }
            var span: ClosedRange<Int64>?
            if let (startColumn, endColumn) = spanColumns, !(row[startColumn].isEmpty && row[endColumn].isEmpty) {
                guard let start = Timestamp.parseRFC3339(row[startColumn]), let end = Timestamp.parseRFC3339(row[endColumn]), start <= end else {
                    throw LabelError("\(at): reviewed_start '\(row[startColumn])' and reviewed_end '\(row[endColumn])' are not a span of time")
                }
                span = start...end
            }
            return ClinicianLabel(actionID: actionID, caseID: field("case_id"), episodeID: Int64(episode), action: action,
                                  verdict: verdict, reason: reason, reviewer: field("reviewer"), at: time,
                                  source: source.isEmpty ? nil : source,
                                  rules: field("episode_rules").split(separator: ";").map(String.init), reviewedSpan: span)
        }
    }

    private static func optional<T>(_ text: String, _ make: (String) -> T?, _ name: String, _ at: String) throws -> T? {
        if text.isEmpty { return nil }
        guard let value = make(text) else { throw LabelError("\(at): unknown \(name) '\(text)'") }
        return value
    }
}

public struct LabelError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// An episode as clinicians left it: the standing verdict is the latest
/// annotation (as the server shows it), whoever made it.
public struct ReviewedEpisode: Sendable, Equatable {
    public let caseID: String
    public let episodeID: Int64
    public let source: String?
    public let rules: [String]
    public var acknowledged = false
    public var verdict: ReviewVerdict?
    public var reason: ReviewReason?
    /// The episode as the standing verdict's reviewer saw it, else as it was first acknowledged (nil: not in the file).
    public var reviewedSpan: ClosedRange<Int64>?
    /// Each reviewer's latest verdict, to tell when they disagree.
    public var verdictByReviewer: [String: ReviewVerdict] = [:]

    /// Whether the reviewers' latest verdicts differ.
    public var contested: Bool { Set(verdictByReviewer.values).count > 1 }
    /// What threshold labels say of the episode: a clinical rule was crossed in it.
    public var thresholdCrossed: Bool { !rules.isEmpty }
    /// Whether the model's score raised it (alone or with a rule).
    public var modelRaised: Bool { source == "model" || source == "both" }

    /// The episodes of `labels`, in the order of their first action; actions
    /// on episodes that no longer exist are left out (`dropped` counts them).
    public static func from(_ labels: [ClinicianLabel]) -> (episodes: [ReviewedEpisode], dropped: Int) {
        var episodes: [ReviewedEpisode] = []
        var position: [String: Int] = [:]
        var dropped = 0
        for label in labels.sorted(by: { ($0.at, $0.actionID) < ($1.at, $1.actionID) }) {
            guard let id = label.episodeID else { dropped += 1; continue }
            let key = "\(label.caseID)/\(id)"
            if position[key] == nil {
                position[key] = episodes.count
                episodes.append(ReviewedEpisode(caseID: label.caseID, episodeID: id, source: label.source, rules: label.rules))
            }
            switch label.action {
            case .acknowledge:
                episodes[position[key]!].acknowledged = true
                if episodes[position[key]!].reviewedSpan == nil { episodes[position[key]!].reviewedSpan = label.reviewedSpan }
            case .annotate:
                episodes[position[key]!].verdict = label.verdict
                episodes[position[key]!].reason = label.reason
                episodes[position[key]!].reviewedSpan = label.reviewedSpan
                episodes[position[key]!].verdictByReviewer[label.reviewer] = label.verdict
            }
        }
        return (episodes, dropped)
    }
}
