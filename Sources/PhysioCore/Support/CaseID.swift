/// Case identifiers appear in URLs, file names and log lines, so they are
/// restricted to `[A-Za-z0-9._-]{1,64}`.
public enum CaseID {
    public static let maxLength = 64

    // Inlinable so each caller gets a specialised byte loop (generic, it
    // was 3 % of the server's CPU under single-sample ingest).
    @inlinable
    public static func isValid(_ candidate: some StringProtocol) -> Bool {
        let utf8 = candidate.utf8
        guard !utf8.isEmpty, utf8.count <= maxLength else { return false }
        return utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }
}
