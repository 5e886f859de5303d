import PhysioPlatform
import Testing

/// One time rule for every input: the nearest microsecond, half up, for
/// RFC 3339 text and epoch seconds alike.
struct TimestampTests {
    static let base: Int64 = 1_795_600_000   // 2026-11-24T…, epoch seconds

    static func rfc3339(_ fraction: String) -> Int64? {
        let whole = Timestamp.format(base * 1_000_000)   // …Z without a fraction
        return Timestamp.parseRFC3339(whole.dropLast() + "." + fraction + "Z")
    }

    @Test func rfc3339AndEpochSecondsRoundTheSameWay() throws {
        let micros = Self.base * 1_000_000
        #expect(Self.rfc3339("1234567") == micros + 123_457)
        #expect(Timestamp.fromEpochSeconds(Double("\(Self.base).1234567")!) == micros + 123_457)
        #expect(Self.rfc3339("1234564") == micros + 123_456)
        #expect(Timestamp.fromEpochSeconds(Double("\(Self.base).1234564")!) == micros + 123_456)
        #expect(Self.rfc3339("12345") == micros + 123_450)
        #expect(Self.rfc3339("123456499999") == micros + 123_456)
    }

    @Test func halfAMicrosecondRoundsUpAndCarries() {
        let micros = Self.base * 1_000_000
        #expect(Self.rfc3339("0000005") == micros + 1)
        #expect(Self.rfc3339("9999995") == micros + 1_000_000)
        #expect(Timestamp.parseRFC3339("2026-12-31T23:59:59.9999999Z") == Timestamp.parseRFC3339("2027-01-01T00:00:00Z"))
        #expect(Timestamp.micros(seconds: 0.0000005) == 1)
        #expect(Timestamp.micros(seconds: 2.5e-6) == 3)
    }

    /// Epoch seconds written with up to six fraction digits are read back
    /// exactly, up to 2200 (where a double still carries 0.95 µs).
    @Test func epochSecondsWithSixDigitsAreExactUntil2200() {
        var state: UInt64 = 42
        for magnitude in [Int64(1_000_000), 1_795_600_000, 4_294_967_296, 7_258_118_399] {
            for _ in 0..<5_000 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let micros = max(0, magnitude - Int64(state >> 40) % 1_000_000) * 1_000_000 + Int64(state >> 20) % 1_000_000
                let fraction = String(micros % 1_000_000)
                let text = "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
                #expect(Timestamp.fromEpochSeconds(Double(text)!) == micros, "\(text)")
                if Timestamp.fromEpochSeconds(Double(text)!) != micros { return }
            }
        }
    }

    @Test func outsideTheRangeIsRefused() {
        #expect(Timestamp.fromEpochSeconds(-0.0000001) == nil)
        #expect(Timestamp.fromEpochSeconds(7_258_118_400) == nil)
        #expect(Timestamp.fromEpochSeconds(.infinity) == nil)
        #expect(Timestamp.fromEpochSeconds(7_258_118_399.9999999) == nil)
    }
}
