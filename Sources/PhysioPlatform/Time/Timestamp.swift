/// Timestamps are microseconds since the Unix epoch (UTC) everywhere in
/// physio: the resolution of PostgreSQL's timestamptz.
///
/// One rule for every input: a time is rounded to the nearest microsecond,
/// and exactly half a microsecond rounds up (to the later one), whether it
/// comes as RFC 3339 text or as epoch seconds. RFC 3339 digits are rounded
/// as written. Epoch seconds are JSON numbers, which every parser reads as
/// IEEE doubles: the double is rounded, and between 1970 and 2200 that gives
/// back exactly the microsecond of any number written with up to six
/// fraction digits (a double is within 0.48 µs of it). Digits beyond the
/// sixth can differ from the written decimal only within a quarter of a
/// microsecond of a half (a double carries about 0.24 µs in 2026); send RFC
/// 3339 text where that matters.
public enum Timestamp {
    public static let microsPerSecond: Int64 = 1_000_000
    /// Accepted sample times: 1970-01-01 up to (not including) 2200-01-01.
    public static let validRange: Range<Int64> = 0..<7_258_118_400_000_000

    /// Parses RFC 3339 (`2026-11-24T10:00:00.250Z`, `…+01:00`; `t`/`z` and a
    /// space separator as the RFC allows). Fractions beyond microseconds are
    /// rounded to the nearest, half up. Returns nil for anything else,
    /// including leap second 60.
    public static func parseRFC3339(_ text: some StringProtocol) -> Int64? {
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBufferPointer { parseRFC3339(bytes: UnsafeBufferPointer($0)) }
    }

    public static func parseRFC3339(bytes s: UnsafeBufferPointer<UInt8>) -> Int64? {
        // Minimum: YYYY-MM-DDTHH:MM:SSZ (20 bytes).
        guard s.count >= 20, s.count <= 64 else { return nil }
        func digits(_ at: Int, _ n: Int) -> Int? {
            var value = 0
            for i in at..<(at + n) {
                let d = Int(s[i]) - 48
                guard d >= 0, d <= 9 else { return nil }
                value = value * 10 + d
            }
            return value
        }
        guard let year = digits(0, 4), s[4] == 0x2D, let month = digits(5, 2), s[7] == 0x2D,
              let day = digits(8, 2), s[10] == 0x54 || s[10] == 0x74 || s[10] == 0x20,
              let hour = digits(11, 2), s[13] == 0x3A, let minute = digits(14, 2), s[16] == 0x3A,
              let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var i = 19
        var micros: Int64 = 0
        if s[i] == 0x2E {  // fraction
            i += 1
            var scale: Int64 = 100_000
            let start = i
            while i < s.count, s[i] >= 0x30, s[i] <= 0x39 {
                if i - start < 6 {
                    micros += Int64(s[i] - 48) * scale
                    scale /= 10
                } else if i - start == 6 && s[i] >= 0x35 {
                    micros += 1  // the seventh digit is 5 or more: half up (may carry into the second)
                }
                i += 1
            }
            guard i > start, i < s.count else { return nil }
        }
        var offsetSeconds = 0
        switch s[i] {
        case 0x5A, 0x7A:  // Z
            i += 1
        case 0x2B, 0x2D:  // +hh:mm / -hh:mm
            guard s.count - i == 6, let oh = digits(i + 1, 2), s[i + 3] == 0x3A,
                  let om = digits(i + 4, 2), oh <= 23, om <= 59
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (s[i] == 0x2D ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == s.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return seconds * microsPerSecond + micros
    }

    /// Seconds as microseconds, to the nearest, half away from zero (half up
    /// for times). The whole seconds are split off first (exactly), so that
    /// scaling rounds only the fraction: `seconds * 1e6` at 2^32 s would be
    /// off by up to half a microsecond before the rounding.
    public static func micros(seconds: Double) -> Int64 {
        let whole = seconds.rounded(.towardZero)
        return Int64(whole) * microsPerSecond + Int64(((seconds - whole) * 1e6).rounded(.toNearestOrAwayFromZero))
    }

    /// Microseconds as seconds for files and messages: "300", "300.5".
    public static func secondsText(_ micros: Int64) -> String {
        micros % microsPerSecond == 0 ? String(micros / microsPerSecond) : String(Double(micros) / 1e6)
    }

    /// Epoch seconds (fractions allowed) to microseconds, rounded by the
    /// rule above; nil outside `validRange`.
    public static func fromEpochSeconds(_ seconds: Double) -> Int64? {
        // Before 1970 even if it rounds to 0 µs (-1e-323 did).
        guard seconds.isFinite, seconds >= 0, seconds < Double(validRange.upperBound / microsPerSecond) else { return nil }
        let micros = micros(seconds: seconds)
        return validRange.contains(micros) ? micros : nil
    }

    /// RFC 3339 in UTC. Fractions are printed only when present: 3 digits when
    /// whole milliseconds, else 6. `fixedMicros` always prints 6 (exports).
    public static func format(_ micros: Int64, fixedMicros: Bool = false) -> String {
        var seconds = micros / microsPerSecond
        var fraction = micros % microsPerSecond
        if fraction < 0 { fraction += microsPerSecond; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (year, month, day) = civilFromDays(Int(days))
        var out = [UInt8]()
        out.reserveCapacity(27)
        func put(_ value: Int, width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 { out.append(UInt8(48 + v / divisor)); v %= divisor; divisor /= 10 }
        }
        put(year, width: 4); out.append(0x2D); put(month, width: 2); out.append(0x2D); put(day, width: 2)
        out.append(0x54)
        let sod = Int(secondOfDay)
        put(sod / 3600, width: 2); out.append(0x3A); put(sod / 60 % 60, width: 2); out.append(0x3A)
        put(sod % 60, width: 2)
        if fixedMicros {
            out.append(0x2E); put(Int(fraction), width: 6)
        } else if fraction != 0 {
            out.append(0x2E)
            if fraction % 1000 == 0 { put(Int(fraction / 1000), width: 3) } else { put(Int(fraction), width: 6) }
        }
        out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's civil-from-days algorithms).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
