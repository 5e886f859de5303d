import PhysioCore

/// Reads the common ingest body, `{"samples":[{"t":…,"hr":…},…]}` or NDJSON
/// sample lines, in one pass straight into a SampleBatch: no JSON tree and
/// no allocation per value (jansson's tree and its mallocs were half the
/// server's CPU under batched ingest).
///
/// It reads only plain, valid input: ASCII, strings without escapes,
/// numbers it can convert exactly, known fields once each, every value in
/// range. Anything else returns nil and SampleDecoder parses the body with
/// jansson, so every error answer comes from that one path and this reader
/// only ever accepts what jansson's path accepts, with the same rows
/// (scripts/fuzz checks both agree).
struct PlainSampleReader {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// `{"samples":[…]}`, or nil.
    static func json(caseID: String, body: UnsafeRawBufferPointer, maxSamples: Int) -> SampleBatch? {
        var reader = PlainSampleReader(body)
        var batch = SampleBatch(caseID: caseID, reservingCapacity: min(maxSamples, body.count / 24 + 1))
        guard reader.consume(0x7B), reader.consumeKey("samples"), reader.consume(0x5B) else { return nil }  // { "samples": [
        if !reader.consume(0x5D) {  // ]
            repeat {
                guard batch.count < maxSamples, reader.readSample(into: &batch) else { return nil }
            } while reader.consume(0x2C)  // ,
            guard reader.consume(0x5D) else { return nil }
        }
        guard reader.consume(0x7D) else { return nil }  // }
        reader.skipWhitespace()
        return reader.atEnd ? batch : nil
    }

    /// One sample object per line, or nil. Lines split as SampleDecoder
    /// splits them: at LF, one trailing CR dropped, blank lines skipped.
    static func ndjson(caseID: String, body: UnsafeRawBufferPointer, maxSamples: Int) -> SampleBatch? {
        var batch = SampleBatch(caseID: caseID)
        var start = 0
        while start < body.count {
            var end = start
            while end < body.count && body[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > start && body[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = UnsafeRawBufferPointer(rebasing: body[start..<lineEnd])
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            var reader = PlainSampleReader(line)
            guard batch.count < maxSamples, reader.readSample(into: &batch) else { return nil }
            reader.skipWhitespace()
            guard reader.atEnd else { return nil }
        }
        return batch
    }

    /// `bytes` as exactly one JSON number, or nil.
    static func number(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var reader = PlainSampleReader(bytes)
        guard let value = reader.readNumber(), reader.atEnd else { return nil }
        return value
    }

    // MARK: - Samples

    /// `{"t":…, "hr":…, …}` with a valid time and at least one vital.
    private mutating func readSample(into batch: inout SampleBatch) -> Bool {
        guard consume(0x7B) else { return false }
        var timestamp: Int64?
        var seen: UInt32 = 0
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: Vital.count) { values in
            values.initialize(repeating: .nan)
            var present = 0
            repeat {
                guard let key = readPlainString(), consume(0x3A), let field = SampleField(key) else { return false }
                let bit: UInt32 = switch field {
                case .time: 1 << Vital.count
                case .vital(let vital): 1 << vital.rawValue
                }
                guard seen & bit == 0 else { return false }  // jansson rejects duplicate keys
                seen |= bit
                skipWhitespace()
                switch field {
                case .time:
                    if let seconds = readNumber() {
                        timestamp = SampleField.time(epochSeconds: seconds)
                    } else if let text = readPlainString() {
                        timestamp = SampleField.time(rfc3339: text)
                    }
                    guard timestamp != nil else { return false }
                case .vital(let vital):
                    if consumeLiteral("null") { continue }
                    guard let number = readNumber(), let value = SampleField.reading(number, of: vital) else { return false }
                    values[vital.rawValue] = value
                    present += 1
                }
            } while consume(0x2C)
            guard consume(0x7D), present > 0, let timestamp else { return false }
            batch.appendRow(timestamp: timestamp, values: UnsafeBufferPointer(values))
            return true
        }
    }

    // MARK: - Tokens

    var atEnd: Bool { position == bytes.count }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Skips whitespace, then takes `byte` if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        let expected = literal.bytes
        guard bytes.count - position >= expected.count,
              UnsafeRawBufferPointer(rebasing: bytes[position..<(position + expected.count)]).elementsEqual(expected) else { return false }
        position += expected.count
        return true
    }

    /// `"key"` followed by `:`.
    private mutating func consumeKey(_ key: StaticString) -> Bool {
        guard let text = readPlainString(), text.elementsEqual(key.bytes) else { return false }
        return consume(0x3A)
    }

    /// A string of printable ASCII without escapes, as its bytes (a view of
    /// the body); nil for anything else.
    mutating func readPlainString() -> UnsafeBufferPointer<UInt8>? {
        guard consume(0x22) else { return nil }
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 0x22 {
                position += 1
                return UnsafeBufferPointer(rebasing: bytes.assumingMemoryBound(to: UInt8.self)[start..<(position - 1)])
            }
            guard byte >= 0x20, byte < 0x80, byte != 0x5C else { return nil }
            position += 1
        }
        return nil
    }

    /// A JSON number whose value is exact in one rounding (Clinger's fast
    /// path: at most 2^53 in digits, a power of ten up to 22), so it equals
    /// what strtod gives; nil for anything else, including a malformed number.
    mutating func readNumber() -> Double? {
        var index = position
        func digit() -> UInt64? {
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            return byte >= 0x30 && byte <= 0x39 ? UInt64(byte - 0x30) : nil
        }
        let negative = index < bytes.count && bytes[index] == 0x2D
        if negative { index += 1 }
        guard let first = digit() else { return nil }
        var mantissa = first
        index += 1
        if first != 0 {
            while let next = digit() {
                mantissa = mantissa * 10 + next
                guard mantissa <= 1 << 53 else { return nil }
                index += 1
            }
        }
        var exponent = 0
        if index < bytes.count && bytes[index] == 0x2E {  // .
            index += 1
            guard digit() != nil else { return nil }
            while let next = digit() {
                mantissa = mantissa * 10 + next
                exponent -= 1
                guard mantissa <= 1 << 53 else { return nil }
                index += 1
            }
        }
        if index < bytes.count && (bytes[index] == 0x65 || bytes[index] == 0x45) {  // e E
            index += 1
            var exponentNegative = false
            if index < bytes.count && (bytes[index] == 0x2B || bytes[index] == 0x2D) {
                exponentNegative = bytes[index] == 0x2D
                index += 1
            }
            guard digit() != nil else { return nil }
            var written = 0
            while let next = digit() {
                written = written * 10 + Int(next)
                guard written <= 100 else { return nil }
                index += 1
            }
            exponent += exponentNegative ? -written : written
        }
        guard exponent >= -22, exponent <= 22 else { return nil }
        position = index
        var value = Double(mantissa)
        if exponent > 0 { value *= Self.powersOfTen[exponent] } else if exponent < 0 { value /= Self.powersOfTen[-exponent] }
        return negative ? -value : value
    }

    /// 1e0…1e22: every one exact in a Double.
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }
}

extension StaticString {
    fileprivate var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: utf8Start, count: utf8CodeUnitCount) }
}
