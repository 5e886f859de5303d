import PhysioPlatform

/// An HL7 date/time (DTM, and TS's first component):
/// `YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]`, read down to the minute
/// at least (a vital sign is stored at an instant). Without an offset the
/// time is the sender's local time, which the reader must supply.
public struct HL7DateTime: Sendable, Equatable {
    public let year, month, day, hour, minute, second: Int
    /// The fraction's digits as written (HL7 allows four; more are rounded).
    public let fraction: String
    /// Minutes east of UTC, when the value carries an offset.
    public let offsetMinutes: Int?

    public enum Problem: Error, Equatable {
        /// Coarser than a minute (a date, an hour).
        case imprecise
        case malformed
    }

    public static func parse(_ field: HL7Field) -> Result<HL7DateTime, Problem> {
        parse(field.component(1).raw)
    }

    public static func parse(_ bytes: ArraySlice<UInt8>) -> Result<HL7DateTime, Problem> {
        var digitsEnd = bytes.startIndex
        while digitsEnd < bytes.endIndex && (0x30...0x39).contains(bytes[digitsEnd]) { digitsEnd += 1 }
        let digits = bytes[bytes.startIndex..<digitsEnd]
        guard [4, 6, 8, 10, 12, 14].contains(digits.count) else { return .failure(.malformed) }
        func number(_ at: Int, _ count: Int) -> Int {
            digits[(digits.startIndex + at)..<(digits.startIndex + at + count)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        var index = digitsEnd
        var fraction = ""
        if index < bytes.endIndex && bytes[index] == 0x2E {
            guard digits.count == 14 else { return .failure(.malformed) }
            index += 1
            let start = index
            while index < bytes.endIndex && (0x30...0x39).contains(bytes[index]) { index += 1 }
            guard index > start, index - start <= 16 else { return .failure(.malformed) }
            fraction = String(decoding: bytes[start..<index], as: UTF8.self)
        }
        var offset: Int?
        if index < bytes.endIndex {
            guard bytes[index] == 0x2B || bytes[index] == 0x2D, bytes.endIndex - index == 5,
                  bytes[(index + 1)...].allSatisfy({ (0x30...0x39).contains($0) }) else { return .failure(.malformed) }
            let hours = Int(bytes[index + 1] - 0x30) * 10 + Int(bytes[index + 2] - 0x30)
            let minutes = Int(bytes[index + 3] - 0x30) * 10 + Int(bytes[index + 4] - 0x30)
            guard minutes <= 59, hours * 60 + minutes <= 14 * 60 else { return .failure(.malformed) }  // UTC−12 … UTC+14, as FHIR and RFC 3339 readers take
            offset = (hours * 60 + minutes) * (bytes[index] == 0x2D ? -1 : 1)
        }
        guard digits.count >= 12 else { return .failure(.imprecise) }
        let parsed = HL7DateTime(year: number(0, 4), month: number(4, 2), day: number(6, 2), hour: number(8, 2),
                                 minute: number(10, 2), second: digits.count == 14 ? number(12, 2) : 0,
                                 fraction: fraction, offsetMinutes: offset)
        // The calendar is checked by the same parser every other time goes through.
        guard parsed.micros(offsetMinutes: offset ?? 0) != nil else { return .failure(.malformed) }
        return .success(parsed)
    }

    /// Microseconds since the epoch for this wall-clock time at `offsetMinutes`
    /// east of UTC, by the one time rule (RFC 3339 text through Timestamp:
    /// the nearest microsecond, half up); nil for an impossible date.
    public func micros(offsetMinutes: Int) -> Int64? {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let sign = offsetMinutes < 0 ? "-" : "+"
        let magnitude = abs(offsetMinutes)
        let text = "\(year < 1000 ? String(repeating: "0", count: 4 - String(year).count) : "")\(year)-\(two(month))-\(two(day))T"
            + "\(two(hour)):\(two(minute)):\(two(second))\(fraction.isEmpty ? "" : "." + fraction)\(sign)\(two(magnitude / 60)):\(two(magnitude % 60))"
        return Timestamp.parseRFC3339(text)
    }
}
