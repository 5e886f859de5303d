/// Why bytes are not an HL7 v2 message in ER7 (pipe-and-hat) encoding,
/// and where: what an ERR segment names.
public struct HL7ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The segment's id when it could be read ("MSH", "OBX"), which of the
    /// segments with that id it is (1 for the first: HL7's "segment
    /// sequence" in ERR) and the field, 0 for the whole segment.
    public let segment: String
    public let sequence: Int
    public let field: Int
    public let detail: String

    public init(segment: String, sequence: Int, field: Int, detail: String) {
        self.segment = segment
        self.sequence = sequence
        self.field = field
        self.detail = detail
    }

    public var description: String {
        field > 0 ? "\(segment)-\(field) (\(segment) #\(sequence)): \(detail)" : "\(segment) #\(sequence): \(detail)"
    }
}
