import PhysioCore
import PhysioPlatform

/// One entry of an episode's audit trail: an acknowledgement or annotation
/// by a token holder, or a merge that brought another episode's reviews in.
public struct ReviewEntry: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case acknowledge, annotate, merge
    }

    public let kind: Kind
    /// The action's id; for a merge, the id of the episode row it absorbed.
    public let id: Int64
    /// The episode row that holds the entry now.
    public let episodeID: Int64
    /// The episode as the reviewer saw it (a merge: the row absorbed), and its span.
    public let reviewedEpisodeID: Int64
    public let reviewedStart: Int64
    public let reviewedEnd: Int64
    public let verdict: ReviewVerdict?
    public let reason: ReviewReason?
    public let note: String?
    /// The name of the token that acted; nil for a merge (the workers').
    public let actor: String?
    public let at: Int64
    /// For an acknowledgement, the rule alarms it covers (`RuleAlarm.key`);
    /// nil for one recorded before they were kept (it covers the episode whole).
    public let alarms: [String]?

    /// Whether this is an acknowledgement that covers `alarm`.
    func acknowledges(_ alarm: RuleAlarm) -> Bool {
        kind == .acknowledge && (alarms.map { list in list.contains(where: alarm.isNamed(by:)) } ?? true)
    }
}

/// An episode's audit trail, oldest first, and what it adds up to.
public struct EpisodeReview: Sendable {
    public var trail: [ReviewEntry] = []

    public init(trail: [ReviewEntry] = []) { self.trail = trail }

    /// The latest acknowledgement.
    public var acknowledgement: ReviewEntry? { trail.last { $0.kind == .acknowledge } }

    /// The raised rule alarms of an episode (`EpisodeRecord.raisedAlarms`)
    /// that no acknowledgement covers, in their order: raised after the
    /// episode was acknowledged, brought in by a merge, or not named.
    public func unacknowledged(_ alarms: [RuleAlarm]) -> [RuleAlarm] {
        let acknowledgements = trail.filter { $0.kind == .acknowledge }
        return alarms.filter { alarm in alarm.raisedAt != nil && !acknowledgements.contains { $0.acknowledges(alarm) } }
    }

    /// Whether the episode has been seen with every alarm it has raised.
    public func isAcknowledged(_ alarms: [RuleAlarm]) -> Bool { acknowledgement != nil && unacknowledged(alarms).isEmpty }
    /// The latest annotation: its verdict stands.
    public var annotation: ReviewEntry? { trail.last { $0.kind == .annotate } }
}

/// What a review request did.
public struct ReviewOutcome: Sendable {
    /// The episode that holds the review (another id than the one asked
    /// for when that episode has since been merged into it).
    public let episode: EpisodeRecord
    public let review: EpisodeReview
    /// False when nothing was stored: the episode was acknowledged already with every alarm it has,
    /// or the annotation repeats the same reviewer's latest one.
    public let stored: Bool
}

/// Who acts: the token's name (kept in the trail) and id.
public struct Reviewer: Sendable {
    public let name: String
    public let tokenID: Int?

    public init(name: String, tokenID: Int?) {
        self.name = name
        self.tokenID = tokenID
    }
}

/// Every statement on `review_actions`: recording an action (append-only;
/// there is no statement here or anywhere in physio that changes or
/// deletes one) and reading trails through the episodes' merges
/// (`EpisodeLineage`).
public struct ReviewStore: Sendable {
    public init() {}

    /// `seen`: the alarms the reviewer was shown (`RuleAlarm.key`), which
    /// the acknowledgement covers; nil: those of the episode asked for, as it
    /// stands (through an id a merge absorbed, those raised within that row's
    /// span only: the reviewer never saw the rest).
    public func acknowledge(caseID: CaseID, episodeID: Int64, seen: [String]? = nil, by reviewer: Reviewer,
                            on connection: DatabaseConnection) throws -> ReviewOutcome? {
        try record(caseID: caseID, episodeID: episodeID, action: .acknowledge, verdict: nil, reason: nil, note: nil, seen: seen,
                   by: reviewer, on: connection)
    }

    public func annotate(caseID: CaseID, episodeID: Int64, verdict: ReviewVerdict, reason: ReviewReason?, note: String?,
                         by reviewer: Reviewer, on connection: DatabaseConnection) throws -> ReviewOutcome? {
        try record(caseID: caseID, episodeID: episodeID, action: .annotate, verdict: verdict, reason: reason, note: note, seen: nil,
                   by: reviewer, on: connection)
    }

    /// In one transaction: the episode's current row locked (a merge waits,
    /// or has committed and is followed), the action appended unless it
    /// repeats, and the case's live streams told. nil: no such episode.
    private func record(caseID: CaseID, episodeID: Int64, action: ReviewAction, verdict: ReviewVerdict?, reason: ReviewReason?,
                        note: String?, seen: [String]?, by reviewer: Reviewer, on connection: DatabaseConnection) throws -> ReviewOutcome? {
        try connection.transaction {
            guard let episode = try EpisodeLineage.current(caseID: caseID, episodeID: episodeID, lock: true, on: connection) else { return nil }
            let before = try reviews(caseID: caseID, on: connection)[episode.id] ?? EpisodeReview()
            let covered = action == .acknowledge
                ? try covers(episode, askedFor: episodeID, seen: seen, on: connection) : []
            let repeats = switch action {
            // An acknowledgement stands and nothing this one would cover is uncovered.
            case .acknowledge: before.acknowledgement != nil && before.unacknowledged(episode.raisedAlarms).allSatisfy { !covered.contains($0) }
            // The reviewer's own latest, not the episode's: a retry that arrives after
            // another reviewer's annotation must not be stored again and stand over it.
            case .annotate: before.trail.last { $0.kind == .annotate && $0.actor == reviewer.name }
                .map { $0.verdict == verdict && $0.reason == reason && $0.note == note } ?? false
            }
            if repeats { return ReviewOutcome(episode: episode, review: before, stored: false) }
            try connection.query("""
                INSERT INTO review_actions (case_id, episode_id, episode_start, episode_end, action, verdict, reason, note, actor, token_id,
                                            alarms)
                VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5::review_action, $6::review_verdict, $7::review_reason, $8, $9, $10,
                        $11::text[])
                """, [caseID, episode.id, SQLTime(episode.start), SQLTime(episode.end), action.rawValue, verdict?.rawValue,
                      reason?.rawValue, note, reviewer.name, reviewer.tokenID,
                      action == .acknowledge ? PostgresArray.literal(covered.map { $0.key! }, quoted: true) : nil])
            try CaseEvents.notify(.reviews, caseIDs: [caseID.rawValue], on: connection)
            let after = try reviews(caseID: caseID, on: connection)[episode.id] ?? EpisodeReview()
            return ReviewOutcome(episode: episode, review: after, stored: true)
        }
    }

    /// The raised alarms an acknowledgement of `episode` (asked for as
    /// `askedFor`) covers: those `seen` names that it has, else all, or
    /// through an absorbed row those raised within that row's span.
    private func covers(_ episode: EpisodeRecord, askedFor: Int64, seen: [String]?,
                        on connection: DatabaseConnection) throws -> [RuleAlarm] {
        var alarms = episode.raisedAlarms
        if let seen {
            alarms = alarms.filter { alarm in seen.contains(where: alarm.isNamed(by:)) }
        } else if askedFor != episode.id, let span = try connection.query(
            "SELECT \(SQL.micros("absorbed_start")), \(SQL.micros("absorbed_end")) FROM episode_merges WHERE absorbed_id = $1",
            [askedFor]).single((Int64, Int64).self) {
            alarms = alarms.filter { span.0...span.1 ~= $0.raisedAt! }
        }
        return alarms
    }

    /// The trails of a case's episodes, by the id of the episode row that holds each now.
    public func reviews(caseID: CaseID, on connection: DatabaseConnection) throws -> [Int64: EpisodeReview] {
        let result = try connection.query(prepared: Self.trailsSQL, [caseID])
        var reviews: [Int64: EpisodeReview] = [:]
        for row in result.rows {
            let entry = try Self.entry(row)
            reviews[entry.episodeID, default: EpisodeReview()].trail.append(entry)
        }
        return reviews
    }

    /// Actions on a case recorded after `after` (µs), oldest first, each with
    /// the episode that holds it now: what live streams send.
    public func actions(caseID: CaseID, after: Int64, limit: Int = 200, on connection: DatabaseConnection) throws -> [ReviewEntry] {
        let result = try connection.query("""
            WITH \(EpisodeLineage.chains(actionFilter: "case_id = $1 AND at > $2::timestamptz"))
            \(Self.actionsSelect) ORDER BY a.at, a.id LIMIT $3
            """, [caseID, SQLTime(after), limit])
        return try result.rows.map(Self.entry)
    }

    /// The time of the case's latest action (µs), 0 when there is none: where a live stream starts.
    public func latestAction(caseID: CaseID, on connection: DatabaseConnection) throws -> Int64 {
        try connection.query("SELECT coalesce(\(SQL.micros("max(at)")), 0) FROM review_actions WHERE case_id = $1",
                             [caseID]).scalar(Int64.self)
    }

    static let actionsSelect = """
        SELECT a.action::text, cur.episode_id, a.id, a.episode_id, \(SQL.micros("a.episode_start")), \(SQL.micros("a.episode_end")),
               a.verdict::text, a.reason::text, a.note, a.actor, \(SQL.micros("a.at")), array_to_string(a.alarms, ',')
        FROM current cur JOIN review_actions a ON a.id = cur.action_id
        """

    /// Actions, then the merges their chains passed through, by episode and time.
    static let trailsSQL = """
        WITH \(EpisodeLineage.chains(actionFilter: "case_id = $1"))
        \(actionsSelect)
        UNION ALL
        SELECT DISTINCT 'merge', cur.episode_id, m.absorbed_id, m.absorbed_id, \(SQL.micros("m.absorbed_start")),
               \(SQL.micros("m.absorbed_end")), NULL, NULL, NULL, NULL, \(SQL.micros("m.at")), NULL
        FROM chain ch JOIN current cur ON cur.action_id = ch.action_id JOIN episode_merges m ON m.absorbed_id = ch.merge_id
        ORDER BY 2, 11, 3
        """

    static func entry(_ row: Row) throws -> ReviewEntry {
        let (kind, episodeID, id, reviewedID, start, end, verdict, reason, note, actor, at, alarms) =
            try row.decode((String, Int64, Int64, Int64, Int64, Int64, String?, String?, String?, String?, Int64, String?).self)
        guard let entryKind = ReviewEntry.Kind(rawValue: kind) else { throw DatabaseError(message: "review entry \(id) is a \(kind)") }
        return ReviewEntry(kind: entryKind, id: id, episodeID: episodeID, reviewedEpisodeID: reviewedID, reviewedStart: start,
                           reviewedEnd: end, verdict: verdict.flatMap(ReviewVerdict.init(rawValue:)),
                           reason: reason.flatMap(ReviewReason.init(rawValue:)), note: note, actor: actor, at: at,
                           alarms: alarms.map { $0.split(separator: ",").map(String.init) })
    }
}
