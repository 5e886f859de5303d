/// An HL7 v2 message in ER7 encoding, split into segments and fields
/// without copying: values are read on demand through `HL7Field`.
///
/// Segments end with CR (0x0D), as the standard says; LF and CR LF are
/// taken too, since files and some gateways use them. The delimiters are
/// the message's own (MSH-1, MSH-2).
public struct HL7Message: Sendable {
    public let bytes: [UInt8]
    public let encoding: EncodingCharacters
    public let segments: [HL7Segment]

    /// The MSH segment.
    public var header: HL7Segment { segments[0] }

    public static func parse(_ input: [UInt8]) throws(HL7ParseError) -> HL7Message {
        var start = 0
        if input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF { start = 3 }  // a UTF-8 BOM
        while start < input.count && (input[start] == 0x0D || input[start] == 0x0A) { start += 1 }
        guard input.count - start >= 8, input[start] == 0x4D, input[start + 1] == 0x53, input[start + 2] == 0x48 else {
            throw HL7ParseError(segment: "MSH", sequence: 1, field: 0, detail: "a message starts with an MSH segment")
        }
        let fieldSeparator = input[start + 3]
        guard EncodingCharacters.canDelimit(fieldSeparator) else {
            throw HL7ParseError(segment: "MSH", sequence: 1, field: 1, detail: "the field separator must be a printable character that is not a letter or digit")
        }
        var end = start + 4
        while end < input.count && input[end] != fieldSeparator && input[end] != 0x0D && input[end] != 0x0A { end += 1 }
        guard var encoding = EncodingCharacters(field: fieldSeparator, declared: input[(start + 4)..<end]) else {
            throw HL7ParseError(segment: "MSH", sequence: 1, field: 2,
                                detail: "the encoding characters must be four (or five) distinct delimiters, such as ^~\\&")
        }
        var segments: [HL7Segment] = []
        var occurrences: [String: Int] = [:]
        var lineStart = start
        var index = start
        let count = input.count
        while lineStart < count {
            while index < count && input[index] != 0x0D && input[index] != 0x0A { index += 1 }
            if index > lineStart {
                var segment = try HL7Segment(bytes: input, range: lineStart..<index, encoding: encoding, position: segments.count + 1)
                if segments.isEmpty, Self.declaresLatin1(segment) {
                    // The header says how to read every segment's text, its own included.
                    encoding.isLatin1 = true
                    segment = try HL7Segment(bytes: input, range: lineStart..<index, encoding: encoding, position: 1)
                }
                occurrences[segment.id, default: 0] += 1
                segment.sequence = occurrences[segment.id]!
                segments.append(segment)
            }
            while index < count && (input[index] == 0x0D || input[index] == 0x0A) { index += 1 }
            lineStart = index
        }
        return HL7Message(bytes: input, encoding: encoding, segments: segments)
    }

    /// Whether MSH-18's first character set is ISO 8859-1 (HL7 table 0211:
    /// `8859/1`); any other, or none, reads text as UTF-8 (ASCII included).
    private static func declaresLatin1(_ header: HL7Segment) -> Bool {
        header.field(18).component(1).text.filter { $0 != " " } == "8859/1"
    }

    /// The first segment with this id.
    public func first(_ id: String) -> HL7Segment? { segments.first { $0.id == id } }
}

/// One segment: its id and where each field lies in the message.
public struct HL7Segment: Sendable {
    public let id: String
    /// Which of the message's segments with this id it is, from 1 (HL7's
    /// "segment sequence", as ERR names a location).
    public internal(set) var sequence: Int
    let bytes: [UInt8]
    let encoding: EncodingCharacters
    /// Field ranges in the order written; [0] is the id.
    let fields: [Range<Int>]

    /// `position`: the segment's place in the message (1 for MSH), for an
    /// error in a segment whose id cannot be read.
    init(bytes: [UInt8], range: Range<Int>, encoding: EncodingCharacters, position: Int) throws(HL7ParseError) {
        self.bytes = bytes
        self.encoding = encoding
        sequence = position
        var fields: [Range<Int>] = []
        var fieldStart = range.lowerBound
        for index in range where bytes[index] == encoding.field {
            fields.append(fieldStart..<index)
            fieldStart = index + 1
        }
        fields.append(fieldStart..<range.upperBound)
        let name = bytes[fields[0]]
        guard name.count == 3, name.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }) else {
            let shown = String(decoding: name.prefix(8), as: UTF8.self)
            throw HL7ParseError(segment: shown, sequence: position, field: 0,
                                detail: "a segment begins with a three-character id (letters and digits), not '\(shown)'")
        }
        id = String(decoding: name, as: UTF8.self)
        self.fields = fields
    }

    /// Field `number` as HL7 counts: MSH-1 is the field separator itself and
    /// MSH-2 the encoding characters, so MSH's later fields sit one place
    /// earlier in the list than other segments' do. Empty when absent.
    public func field(_ number: Int) -> HL7Field {
        if id == "MSH" && number == 1 {
            // A bare "MSH" (a later segment cut short) has no separator to name.
            guard fields.count > 1 else { return HL7Field(bytes: bytes, range: 0..<0, encoding: encoding) }
            let at = fields[0].upperBound
            return HL7Field(bytes: bytes, range: at..<(at + 1), encoding: encoding)
        }
        let index = id == "MSH" ? number - 1 : number
        guard number >= 1, index >= 1, index < fields.count else { return HL7Field(bytes: bytes, range: 0..<0, encoding: encoding) }
        return HL7Field(bytes: bytes, range: fields[index], encoding: encoding)
    }

    /// How many fields the segment has (trailing empty fields are often left out).
    public var fieldCount: Int { id == "MSH" ? fields.count : fields.count - 1 }
}
