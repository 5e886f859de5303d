/// A case identifier, checked once where it enters (a URL, a query, a file
/// name, a FHIR reference): `[A-Za-z0-9._-]{1,64}`, but not `.` or `..`,
/// which a URL reads as its path's dot-segments (a browser's `/cases/..` is
/// `/`). Safe as it is in URLs, file names, log lines and the export
/// statements that splice it, so code that holds a `CaseID` need not check again.
public struct CaseID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let maxLength = 64

    public let rawValue: String

    /// Nil unless `candidate` is a valid case id.
    public init?(_ candidate: some StringProtocol) {
        guard Self.isValid(candidate) else { return nil }
        rawValue = String(candidate)
    }

    public var description: String { rawValue }

    /// What a case id must be, for messages that refuse one.
    public static let rule = "[A-Za-z0-9._-]{1,64}, not . or .."

    public static func < (a: CaseID, b: CaseID) -> Bool { a.rawValue < b.rawValue }

    // Inlinable so each caller gets a specialised byte loop (generic, it
    // was 3 % of the server's CPU under single-sample ingest).
    @inlinable
    public static func isValid(_ candidate: some StringProtocol) -> Bool {
        let utf8 = candidate.utf8
        guard !utf8.isEmpty, utf8.count <= maxLength else { return false }
        if utf8.count <= 2 && utf8.allSatisfy({ $0 == 0x2E }) { return false }
        return utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }
}
