import Foundation
import PhysioHL7
import PhysioPlatform

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

    /// How a wall-clock time was read in a named zone where its clocks change.
    enum Change: Equatable {
        /// In the hour the clocks repeat (autumn): of the two instants, the
        /// one nearest to when the message arrived while it comes live (within
        /// two hours of them: a monitor sends what it measures now), else the
        /// earlier, as Python's zoneinfo reads it (`nearestToArrival` false).
        case repeated(offsetMinutes: Int, nearestToArrival: Bool)
        /// In the hour the clocks skip (spring), which no clock showed: read
        /// with the offset before the change, as PostgreSQL and Python's
        /// zoneinfo read it (02:30 in Europe/Berlin on 29 March 2026 is 01:30 UTC).
        case skipped(offsetMinutes: Int)
    }

    /// How long after a repeated hour a message still counts as live for
    /// choosing between its two instants by its arrival.
    static let liveSeconds: Int64 = 7_200

    /// Microseconds for a wall-clock time in this zone, and whether it fell
    /// where the zone's clocks change; nil when unset. `receivedAt`: when the
    /// message arrived (µs), which picks the repeated hour's instant.
    func reading(_ time: HL7DateTime, receivedAt: Int64? = nil) -> (micros: Int64?, change: Change?)? {
        switch self {
        case .unset: return nil
        case .fixed(let minutes): return (time.micros(offsetMinutes: minutes), nil)
        case .named(let zone):
            guard let asUTC = time.micros(offsetMinutes: 0) else { return (nil, nil) }
            // The offsets under which this wall-clock time is a real instant.
            let seconds = Double(asUTC) / 1e6
            let offset = { (at: Double) in zone.secondsFromGMT(for: Date(timeIntervalSince1970: at)) }
            let candidates = Set([offset(seconds - 86_400), offset(seconds), offset(seconds + 86_400)])
            let valid = candidates.filter { offset(seconds - Double($0)) == $0 }.sorted(by: >)
            guard let first = valid.first else {
                let before = offset(seconds - 86_400) / 60
                return (time.micros(offsetMinutes: before), .skipped(offsetMinutes: before))
            }
            guard valid.count > 1, let earlier = time.micros(offsetMinutes: first / 60),
                  let later = time.micros(offsetMinutes: valid.last! / 60) else {
                return (time.micros(offsetMinutes: first / 60), nil)
            }
            // The second pass through the hour, sent live, is the later instant; a replay long after cannot tell.
            let live = Timestamp.micros(seconds: Double(Self.liveSeconds))
            if let receivedAt, receivedAt >= earlier - live, receivedAt <= later + live, abs(receivedAt - later) < abs(receivedAt - earlier) {
                return (later, .repeated(offsetMinutes: valid.last! / 60, nearestToArrival: true))
            }
            return (earlier, .repeated(offsetMinutes: first / 60, nearestToArrival: false))
        }
    }
}
