/// Which cases a token may write: a case id (`or7-2026-12-06`) or a prefix
/// ending in `*` (`or7-*`, every case whose id starts `or7-`). A monitor's
/// or gateway's token bound to its theatre's cases cannot add samples to
/// another patient's record if it leaks.
public struct CasePattern: Hashable, Sendable, CustomStringConvertible {
    public let prefix: String
    public let isPrefix: Bool

    /// Nil unless `text` is a case id, or one's first characters then `*`.
    public init?(_ text: some StringProtocol) {
        if text.hasSuffix("*") {
            let head = text.dropLast()
            guard head.isEmpty || CaseID.isValid(head) else { return nil }   // a case id holds no '*'
            prefix = String(head)
            isPrefix = true
        } else {
            guard CaseID.isValid(text) else { return nil }
            prefix = String(text)
            isPrefix = false
        }
    }

    public var description: String { isPrefix ? prefix + "*" : prefix }

    public func matches(_ caseID: String) -> Bool { isPrefix ? caseID.hasPrefix(prefix) : caseID == prefix }

    public static let usage = "a case pattern is a case id ([A-Za-z0-9._-]{1,64}) or the start of one followed by '*', e.g. or7-*"
}

extension Array where Element == CasePattern {
    /// True when any pattern matches `caseID`.
    public func admits(_ caseID: String) -> Bool { contains { $0.matches(caseID) } }
}
