/// Writes JSON straight into a byte buffer: responses and log lines are built
/// without an intermediate tree.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func beginObject() { separate(); bytes.append(0x7B); needsComma = false }
    public mutating func endObject() { bytes.append(0x7D); needsComma = true }
    public mutating func beginArray() { separate(); bytes.append(0x5B); needsComma = false }
    public mutating func endArray() { bytes.append(0x5D); needsComma = true }

    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(0x3A)
        needsComma = false
    }

    public mutating func value(_ text: String) { separate(); appendQuoted(text); needsComma = true }
    public mutating func value(_ number: Int) { separate(); bytes.append(contentsOf: String(number).utf8); needsComma = true }
    public mutating func value(_ number: Int64) { value(Int(number)) }
    public mutating func value(_ flag: Bool) { separate(); bytes.append(contentsOf: (flag ? "true" : "false").utf8); needsComma = true }
    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8); needsComma = true }

    /// Shortest text that reads back as the same Float; NaN and infinities as null.
    public mutating func value(_ number: Float) {
        guard number.isFinite else { return null() }
        separate(); appendNumber(number.description); needsComma = true
    }

    public mutating func value(_ number: Double) {
        guard number.isFinite else { return null() }
        separate(); appendNumber(number.description); needsComma = true
    }

    public mutating func value(_ number: Float?) { if let number { value(number) } else { null() } }
    public mutating func value(_ number: Double?) { if let number { value(number) } else { null() } }
    public mutating func value(_ text: String?) { if let text { value(text) } else { null() } }

    /// Splices already-encoded JSON (from the database or another writer).
    public mutating func raw(_ json: some Sequence<UInt8>) { separate(); bytes.append(contentsOf: json); needsComma = true }
    /// The same for bytes in place (a database value): no generic call per value.
    public mutating func raw(_ json: UnsafeBufferPointer<UInt8>) { separate(); bytes.append(contentsOf: json); needsComma = true }
    /// Appends bytes as they are, commas included: for hot loops that write
    /// prepared fragments and values without touching shared objects.
    public mutating func verbatim(_ json: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: json) }

    public mutating func field(_ name: String, _ text: String) { key(name); value(text) }
    public mutating func field(_ name: String, _ text: String?) { key(name); value(text) }
    public mutating func field(_ name: String, _ number: Int) { key(name); value(number) }
    public mutating func field(_ name: String, _ number: Int64) { key(name); value(number) }
    public mutating func field(_ name: String, _ number: Double) { key(name); value(number) }
    public mutating func field(_ name: String, _ number: Float?) { key(name); value(number) }
    public mutating func field(_ name: String, _ number: Double?) { key(name); value(number) }
    public mutating func field(_ name: String, _ flag: Bool) { key(name); value(flag) }

    private mutating func separate() { if needsComma { bytes.append(0x2C) } }

    private mutating func appendNumber(_ text: String) {
        // "72.0" → "72": same value, shorter, and what people expect to read.
        if text.hasSuffix(".0") { bytes.append(contentsOf: text.utf8.dropLast(2)) } else { bytes.append(contentsOf: text.utf8) }
    }

    private mutating func appendQuoted(_ text: String) {
        bytes.append(0x22)
        // Most keys and values need no escape: copy them whole. 0xC2 and 0xE2 may begin a line separator (below).
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0xC2 && $0 != 0xE2 }) {
            bytes.append(contentsOf: text.utf8)
        } else {
            let utf8 = Array(text.utf8)
            var index = 0
            while index < utf8.count {
                if let escape = Self.lineSeparatorEscape(utf8, at: index) {
                    bytes.append(contentsOf: escape.utf8)
                    index += escape == "\\u0085" ? 2 : 3
                } else {
                    appendEscaped(utf8[index])
                    index += 1
                }
            }
        }
        bytes.append(0x22)
    }

    /// U+0085, U+2028 and U+2029 are valid in a JSON string, but Python's
    /// `str.splitlines()` and JavaScript before ES2019 end a line at them:
    /// an event-stream client that splits so (sseclient 0.0.27) cut a note
    /// holding one. Escaped, the JSON says the same.
    private static func lineSeparatorEscape(_ utf8: [UInt8], at index: Int) -> String? {
        if utf8[index] == 0xC2, index + 1 < utf8.count, utf8[index + 1] == 0x85 { return "\\u0085" }
        guard utf8[index] == 0xE2, index + 2 < utf8.count, utf8[index + 1] == 0x80 else { return nil }
        return utf8[index + 2] == 0xA8 ? "\\u2028" : utf8[index + 2] == 0xA9 ? "\\u2029" : nil
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case 0x22: bytes.append(0x5C); bytes.append(0x22)
        case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
        case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
        case 0x0D: bytes.append(0x5C); bytes.append(0x72)
        case 0x09: bytes.append(0x5C); bytes.append(0x74)
        case 0..<0x20:
            let hex: (UInt8) -> UInt8 = { $0 < 10 ? 0x30 + $0 : 0x57 + $0 }
            bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex(byte >> 4), hex(byte & 0xF)])
        default: bytes.append(byte)
        }
    }
}
