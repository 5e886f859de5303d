import PhysioHL7
import PhysioPlatform

/// The messages this server has acknowledged AA lately, by sender (MSH-3,
/// MSH-4) and control id (MSH-10), with a digest of their bytes: a resend
/// of the same message is answered AA again without being written again,
/// with the warnings its first answer carried (that answer may be the one
/// the sender never got).
/// The same control id with other content is a new message (a sender
/// whose counter restarted) and is stored as one. Bounded: the oldest are
/// forgotten first. After a restart, or on another node, a resend is
/// written again, and ingest's merge finds it all duplicates: still stored
/// once.
final class HL7MessageLedger: @unchecked Sendable {
    enum Lookup { case unknown, resent([HL7Acknowledgement.Problem]), reused }

    private let capacity: Int
    private let lock = Lock()
    private var digests: [String: (digest: [UInt8], warnings: [HL7Acknowledgement.Problem])] = [:]
    private var order: [String] = []
    private var oldest = 0

    init(capacity: Int) { self.capacity = max(0, capacity) }

    static func digest(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(bytes).prefix(16)) }

    func lookup(_ key: String, digest: [UInt8]) -> Lookup {
        lock.withLock {
            guard let known = digests[key] else { return .unknown }
            return known.digest == digest ? .resent(known.warnings) : .reused
        }
    }

    func remember(_ key: String, digest: [UInt8], warnings: [HL7Acknowledgement.Problem] = []) {
        guard capacity > 0 else { return }
        lock.withLock {
            if digests.updateValue((digest, warnings), forKey: key) != nil { return }
            if order.count < capacity {
                order.append(key)
            } else {
                digests.removeValue(forKey: order[oldest])
                order[oldest] = key
                oldest = (oldest + 1) % capacity
            }
        }
    }
}
