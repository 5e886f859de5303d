import PhysioPlatform

/// Cross-node news of changed cases, over PostgreSQL NOTIFY: ingest says
/// which cases got samples, workers which got scores, review requests which
/// had an episode acknowledged or annotated, retention that rows of any
/// case were removed. Any API node's live
/// streams (Server-Sent Events) learn of them, whichever node wrote.
/// Delivered on commit, so a listener only hears of committed rows.
public enum CaseEvents {
    public static let channel = NotificationChannel.caseEvents.rawValue

    public enum Kind: String, Sendable {
        case samples = "v"
        case scores = "s"
        case reviews = "r"
        /// Rows removed past retention: answers kept in memory must go.
        case removed = "d"
    }

    /// Payload: kind, a space, the comma-separated case ids; `*` when the
    /// list would not fit a notification (8000 bytes), meaning "any case".
    public static func payload(_ kind: Kind, caseIDs: some Collection<String>) -> String {
        let list = caseIDs.joined(separator: ",")
        return kind.rawValue + " " + (list.utf8.count > 7000 ? "*" : list)
    }

    public static func parse(_ payload: String) -> (kind: Kind, caseIDs: [String]?)? {
        guard let space = payload.utf8.firstIndex(of: UInt8(ascii: " ")),
              let kind = Kind(rawValue: String(payload[..<space])) else { return nil }
        let rest = payload[payload.utf8.index(after: space)...]
        if rest == "*" { return (kind, nil) }
        return (kind, rest.segments(separatedBy: UInt8(ascii: ",")).filter { !$0.isEmpty }.map(String.init))
    }

    /// News of any case (`*`), e.g. after retention removed rows of many.
    public static func notifyEveryCase(_ kind: Kind, on connection: DatabaseConnection) throws {
        try connection.query("SELECT pg_notify($1, $2)", [channel, kind.rawValue + " *"])
    }

    /// Inside the writer's transaction.
    public static func notify(_ kind: Kind, caseIDs: some Collection<String>, on connection: DatabaseConnection) throws {
        guard !caseIDs.isEmpty else { return }
        try connection.query("SELECT pg_notify($1, $2)", [channel, payload(kind, caseIDs: caseIDs)])
    }
}
