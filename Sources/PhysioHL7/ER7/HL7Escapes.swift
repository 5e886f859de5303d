/// HL7 v2 escape sequences (chapter 2, "Use of escape sequences in text
/// fields"): \F\ \S\ \T\ \R\ \E\ stand for the delimiters, \Xhh…\ for
/// bytes in hex; formatting sequences (\H\ \N\ \.br\ …) carry no
/// characters and are dropped. Writing escapes the delimiters the same way.
public enum HL7Escapes {
    public static func unescape(_ value: ArraySlice<UInt8>, encoding: EncodingCharacters) -> [UInt8] {
        guard value.contains(encoding.escape) else { return Array(value) }
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var index = value.startIndex
        while index < value.endIndex {
            let byte = value[index]
            guard byte == encoding.escape, let close = value[(index + 1)...].firstIndex(of: encoding.escape), close > index + 1 else {
                out.append(byte)
                index += 1
                continue
            }
            let sequence = value[(index + 1)..<close]
            switch sequence.first! {
            case 0x46 where sequence.count == 1: out.append(encoding.field)          // F
            case 0x53 where sequence.count == 1: out.append(encoding.component)      // S
            case 0x54 where sequence.count == 1: out.append(encoding.subcomponent)   // T
            case 0x52 where sequence.count == 1: out.append(encoding.repetition)     // R
            case 0x45 where sequence.count == 1: out.append(encoding.escape)         // E
            case 0x50 where sequence.count == 1: if let truncation = encoding.truncation { out.append(truncation) }  // P (v2.7)
            case 0x58:                                                                // Xhh…
                var digits = sequence.dropFirst()
                while digits.count >= 2, let high = hex(digits[digits.startIndex]), let low = hex(digits[digits.startIndex + 1]) {
                    out.append(high << 4 | low)
                    digits = digits.dropFirst(2)
                }
            default: break  // formatting (\H\ \N\ \.br\ \Zxx\ …) or character set switches: no characters
            }
            index = close + 1
        }
        return out
    }

    /// `text` with the message's delimiters written as escape sequences.
    public static func escape(_ text: some Sequence<UInt8>, encoding: EncodingCharacters) -> [UInt8] {
        var out: [UInt8] = []
        for byte in text {
            let letter: UInt8? = switch byte {
            case encoding.field: 0x46
            case encoding.component: 0x53
            case encoding.subcomponent: 0x54
            case encoding.repetition: 0x52
            case encoding.escape: 0x45
            case encoding.truncation: 0x50   // \P\, v2.7's truncation character
            default: nil
            }
            if let letter {
                out += [encoding.escape, letter, encoding.escape]
            } else if byte == 0x0D || byte == 0x0A {
                out.append(0x20)  // a segment cannot hold a line break; \.br\ would be formatted text
            } else {
                out.append(byte)
            }
        }
        return out
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
