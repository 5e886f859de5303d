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

    /// The same with each case's first and last time committed (µs),
    /// `case:first:last`, so a live stream can read the rows that came
    /// behind those it sent (a late reading, a backlog). Without the times
    /// when they would not fit. The SQL that sends it appends the writer's
    /// transaction (`withTransactionSQL`).
    public static func payload(_ kind: Kind, spans: some Collection<(caseID: String, span: ClosedRange<Int64>?)>) -> String {
        let list = spans.map { entry in entry.span.map { "\(entry.caseID):\($0.lowerBound):\($0.upperBound)" } ?? entry.caseID }
            .joined(separator: ",")
        return list.utf8.count > 7000 ? payload(kind, caseIDs: spans.map(\.caseID)) : kind.rawValue + " " + list
    }

    /// What a notification says.
    public struct Event: Sendable {
        public let kind: Kind
        /// nil: any case.
        public let caseIDs: [String]?
        /// The times each case's rows span, where given.
        public let spans: [String: ClosedRange<Int64>]
        /// The writer's transaction id, where given (` @xid` at the end).
        public var transaction: UInt64? = nil
    }

    /// A payload parameter `$n` with ` @` and the sending transaction's id
    /// appended, in the writer's own statement: a live stream that opened
    /// after that transaction committed knows the rows are not news.
    public static func withTransactionSQL(_ parameter: String) -> String {
        "\(parameter)::text || ' @' || pg_current_xact_id()::text"
    }

    public static func parse(_ payload: String) -> Event? {
        guard let space = payload.utf8.firstIndex(of: UInt8(ascii: " ")),
              let kind = Kind(rawValue: String(payload[..<space])) else { return nil }
        var rest = payload[payload.utf8.index(after: space)...]
        var transaction: UInt64?
        if let at = rest.utf8.lastIndex(of: UInt8(ascii: "@")), at > rest.startIndex,
           rest.utf8[rest.utf8.index(before: at)] == UInt8(ascii: " ") {
            transaction = UInt64(rest[rest.utf8.index(after: at)...])
            rest = rest[..<rest.utf8.index(before: at)]
        }
        if rest == "*" { return Event(kind: kind, caseIDs: nil, spans: [:], transaction: transaction) }
        var caseIDs: [String] = [], spans: [String: ClosedRange<Int64>] = [:]
        for entry in rest.segments(separatedBy: UInt8(ascii: ",")) where !entry.isEmpty {
            let fields = entry.segments(separatedBy: UInt8(ascii: ":"))
            let caseID = String(fields[0])
            caseIDs.append(caseID)
            if fields.count == 3, let first = Int64(fields[1]), let last = Int64(fields[2]), first <= last {
                spans[caseID] = spans[caseID].map { min($0.lowerBound, first)...max($0.upperBound, last) } ?? first...last
            }
        }
        return Event(kind: kind, caseIDs: caseIDs, spans: spans, transaction: transaction)
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

    /// Inside the writer's transaction, with the times each case's rows span.
    public static func notify(_ kind: Kind, spans: some Collection<(caseID: String, span: ClosedRange<Int64>?)>,
                              on connection: DatabaseConnection) throws {
        guard !spans.isEmpty else { return }
        try connection.query("SELECT pg_notify($1, \(withTransactionSQL("$2")))", [channel, payload(kind, spans: spans)])
    }
}
