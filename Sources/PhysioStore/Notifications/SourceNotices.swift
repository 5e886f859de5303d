import PhysioPlatform

/// Cross-node news of the sources a case's vitals were stored from: an API
/// node that stored an ECG's heart rate tells the others, so that the
/// oximeter's pulse rate a gateway sends beside it is left out whichever
/// node it reaches, as it is on the node that stored the ECG's. Behind a
/// load balancer with no sticky sessions each node otherwise knew only its
/// own: one case's column alternated between the two sources.
public enum SourceNotices {
    public static let channel = NotificationChannel.sources.rawValue

    /// A case's vital (its `Vital` raw value) stored from a source of `rank` at `time` (µs).
    public struct Notice: Sendable, Equatable {
        public let caseID: String
        public let vital: Int
        public let rank: Int
        public let time: Int64

        public init(caseID: String, vital: Int, rank: Int, time: Int64) {
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
            let entry = "\(notice.caseID):\(notice.vital):\(notice.rank):\(notice.time)"
            if !current.isEmpty && current.utf8.count + entry.utf8.count + 1 > 7000 {
                payloads.append(current)
                current = ""
            }
            current += current.isEmpty ? entry : "," + entry
        }
        if !current.isEmpty { payloads.append(current) }
        return payloads
    }

    /// What a payload says; malformed entries are skipped.
    public static func parse(_ payload: String) -> [Notice] {
        payload.utf8.split(separator: UInt8(ascii: ",")).compactMap { entry in
            let fields = entry.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard fields.count == 4, !fields[0].isEmpty, let vital = Int(Substring(fields[1])), let rank = Int(Substring(fields[2])),
                  let time = Int64(Substring(fields[3])) else { return nil }
            return Notice(caseID: String(Substring(fields[0])), vital: vital, rank: rank, time: time)
        }
    }

    /// Tells every node listening, this one included.
    public static func notify(_ notices: [Notice], on connection: DatabaseConnection) throws {
        for payload in payloads(notices) {
            try connection.query("SELECT pg_notify($1, $2)", [channel, payload])
        }
    }
}
