import PhysioCore
import PhysioPlatform

/// Cross-node news of the sources a case's vitals were stored from: an API
/// node that stored an ECG's heart rate tells the others, so that the
/// oximeter's pulse rate a gateway sends beside it is left out whichever
/// node it reaches, as it is on the node that stored the ECG's. Behind a
/// load balancer with no sticky sessions each node otherwise knew only its
/// own: one case's column alternated between the two sources.
public enum SourceNotices {
    public static let channel = NotificationChannel.sources.rawValue

    /// A case's vital stored from a source of `rank` at `time` (µs).
    public struct Notice: Sendable, Equatable {
        public let caseID: String
        public let vital: Vital
        public let rank: Int
        public let time: Int64

        public init(caseID: String, vital: Vital, rank: Int, time: Int64) {
            self.caseID = caseID
            self.vital = vital
            self.rank = rank
            self.time = time
        }
    }

    /// Payloads of `case:vital:rank:time` joined by commas, each under a
    /// notification's 8000 bytes (case ids hold neither separator).
    public static func payloads(_ notices: [Notice]) -> [String] {
        var payloads: [String] = [], current = ""
        for notice in notices {
            let entry = "\(notice.caseID):\(notice.vital.rawValue):\(notice.rank):\(notice.time)"
            if !current.isEmpty && current.utf8.count + entry.utf8.count + 1 > 7000 {
                payloads.append(current)
                current = ""
            }
            current += current.isEmpty ? entry : "," + entry
        }
        if !current.isEmpty { payloads.append(current) }
        return payloads
    }

    /// What a payload says; malformed entries, and vitals this build does not know, are skipped.
    public static func parse(_ payload: String) -> [Notice] {
        payload.segments(separatedBy: UInt8(ascii: ",")).compactMap { entry in
            let fields = entry.segments(separatedBy: UInt8(ascii: ":"))
            guard fields.count == 4, !fields[0].isEmpty, let vital = Int(fields[1]).flatMap(Vital.init(rawValue:)),
                  let rank = Int(fields[2]), let time = Int64(fields[3]) else { return nil }
            return Notice(caseID: String(fields[0]), vital: vital, rank: rank, time: time)
        }
    }

    /// Tells every node listening, this one included.
    public static func notify(_ notices: [Notice], on connection: DatabaseConnection) throws {
        for payload in payloads(notices) {
            try connection.query("SELECT pg_notify($1, $2)", [channel, payload])
        }
    }
}
