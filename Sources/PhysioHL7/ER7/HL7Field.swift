/// A field, a repetition, a component or a subcomponent: a range of the
/// message's bytes, split further on demand by the message's delimiters.
public struct HL7Field: Sendable {
    let bytes: [UInt8]
    public let range: Range<Int>
    let encoding: EncodingCharacters

    public var isEmpty: Bool { range.isEmpty }

    /// HL7's explicit null, `""`: the value is to be deleted or is known absent.
    public var isNull: Bool {
        range.count == 2 && bytes[range.lowerBound] == 0x22 && bytes[range.lowerBound + 1] == 0x22
    }

    /// The bytes as sent, escapes left in.
    public var raw: ArraySlice<UInt8> { bytes[range] }

    /// Every repetition (one, empty, for an empty field).
    public var repetitions: [HL7Field] { split(on: encoding.repetition) }

    /// Component `number` (from 1) of the first repetition; a field without
    /// components is its own first component.
    public func component(_ number: Int) -> HL7Field {
        firstRepetition.part(number, on: encoding.component)
    }

    /// Subcomponent `number` (from 1) of this component.
    public func subcomponent(_ number: Int) -> HL7Field { part(number, on: encoding.subcomponent) }

    public var firstRepetition: HL7Field { part(1, on: encoding.repetition) }

    /// The value with escape sequences resolved (HL7Escapes), as text.
    public var text: String {
        let unescaped = HL7Escapes.unescape(bytes[range], encoding: encoding)
        guard encoding.isLatin1 else { return String(decoding: unescaped, as: UTF8.self) }
        // Each Latin-1 byte is the Unicode scalar of its own value.
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: unescaped.map { Unicode.Scalar($0) })
        return String(scalars)
    }

    /// The bytes with escape sequences resolved.
    public var unescaped: [UInt8] { HL7Escapes.unescape(bytes[range], encoding: encoding) }

    private func part(_ number: Int, on delimiter: UInt8) -> HL7Field {
        var index = 1
        var start = range.lowerBound
        for position in range where bytes[position] == delimiter {
            if index == number { return HL7Field(bytes: bytes, range: start..<position, encoding: encoding) }
            index += 1
            start = position + 1
        }
        if index == number { return HL7Field(bytes: bytes, range: start..<range.upperBound, encoding: encoding) }
        return HL7Field(bytes: bytes, range: range.upperBound..<range.upperBound, encoding: encoding)
    }

    private func split(on delimiter: UInt8) -> [HL7Field] {
        var parts: [HL7Field] = []
        var start = range.lowerBound
        for position in range where bytes[position] == delimiter {
            parts.append(HL7Field(bytes: bytes, range: start..<position, encoding: encoding))
            start = position + 1
        }
        parts.append(HL7Field(bytes: bytes, range: start..<range.upperBound, encoding: encoding))
        return parts
    }
}
