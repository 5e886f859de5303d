/// The delimiters a message declares in MSH-1 and MSH-2 (HL7 v2 chapter 2,
/// "Message delimiters"): never assumed, read from each message.
public struct EncodingCharacters: Sendable, Equatable {
    public let field: UInt8
    public let component: UInt8
    public let repetition: UInt8
    public let escape: UInt8
    public let subcomponent: UInt8
    /// v2.7's truncation character, when MSH-2 declares one.
    public let truncation: UInt8?
    /// MSH-18 declares ISO 8859-1 (`8859/1`): text bytes are Latin-1, not UTF-8.
    public internal(set) var isLatin1 = false

    /// `|^~\&`, what nearly every sender uses and what answers to an unreadable message use.
    public static let standard = EncodingCharacters(field: 0x7C, component: 0x5E, repetition: 0x7E, escape: 0x5C,
                                                    subcomponent: 0x26, truncation: nil)

    public init(field: UInt8, component: UInt8, repetition: UInt8, escape: UInt8, subcomponent: UInt8, truncation: UInt8?) {
        self.field = field
        self.component = component
        self.repetition = repetition
        self.escape = escape
        self.subcomponent = subcomponent
        self.truncation = truncation
    }

    /// MSH-2 as written after the field separator `field`: four characters,
    /// or five with v2.7's truncation character; each distinct, printable
    /// and not a letter or digit.
    init?(field: UInt8, declared: ArraySlice<UInt8>) {
        guard declared.count == 4 || declared.count == 5 else { return nil }
        let all = [field] + declared
        guard Set(all).count == all.count, all.allSatisfy(Self.canDelimit) else { return nil }
        let at = declared.startIndex
        self.init(field: field, component: declared[at], repetition: declared[at + 1], escape: declared[at + 2],
                  subcomponent: declared[at + 3], truncation: declared.count == 5 ? declared[at + 4] : nil)
    }

    /// MSH-2 as it is written back in answers.
    public var declaration: [UInt8] {
        [component, repetition, escape, subcomponent] + (truncation.map { [$0] } ?? [])
    }

    static func canDelimit(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !(0x30...0x39).contains(byte) && !(0x41...0x5A).contains(byte) && !(0x61...0x7A).contains(byte)
    }
}
