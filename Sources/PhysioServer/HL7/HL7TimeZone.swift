import Foundation
import PhysioHL7

/// The zone of times a sender writes without an offset. HL7 reads such a
/// time as the sender's local time, with MSH-7's offset when it has one;
/// when neither says, this does (`serve --hl7-time-zone`): an IANA name
/// (Europe/Berlin, with its daylight saving time), UTC or a fixed offset
/// (+0100). Without it such a time is refused rather than guessed.
public enum HL7TimeZone: Sendable, Equatable {
    case unset
    case fixed(minutes: Int)
    case named(TimeZone)

    public init?(parsing text: String) {
        if text.isEmpty { self = .unset; return }
        if text == "UTC" || text == "Z" { self = .fixed(minutes: 0); return }
        let bytes = Array(text.utf8)
        if bytes.count == 5, bytes[0] == 0x2B || bytes[0] == 0x2D,
           case .success(let parsed) = HL7DateTime.parse(ArraySlice(Array("202601010000".utf8) + bytes)),
           let offset = parsed.offsetMinutes {
            self = .fixed(minutes: offset)
            return
        }
        guard let zone = TimeZone(identifier: text) else { return nil }
        self = .named(zone)
    }

    public var description: String {
        switch self {
        case .unset: "unset"
        case .fixed(let minutes): minutes == 0 ? "UTC" : String(format: "%@%02d%02d", minutes < 0 ? "-" : "+", abs(minutes) / 60, abs(minutes) % 60)
        case .named(let zone): zone.identifier
        }
    }

    /// Microseconds for a wall-clock time in this zone; nil when unset. In a
    /// named zone's repeated hour (autumn) the first of the two instants is taken.
    func micros(_ time: HL7DateTime) -> Int64? {
        switch self {
        case .unset: return nil
        case .fixed(let minutes): return time.micros(offsetMinutes: minutes)
        case .named(let zone):
            guard let asUTC = time.micros(offsetMinutes: 0) else { return nil }
            // The offset at the instant the wall-clock time would be, found in two steps.
            let seconds = Double(asUTC) / 1e6
            let guess = zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds))
            let earlier = zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds - Double(guess) - 3600))
            for offset in [max(guess, earlier), min(guess, earlier)] {
                if zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds - Double(offset))) == offset {
                    return time.micros(offsetMinutes: offset / 60)
                }
            }
            return time.micros(offsetMinutes: guess / 60)
        }
    }
}
