import PhysioCore
import PhysioPlatform

/// Whole read answers kept in memory under a version of what they were
/// built from, and served again while the case still has that version. The
/// routes choose the version and say why it is safe: `/vitals` the case's
/// sample count (VitalsRoutes), `/anomalies` its score version from the
/// workers' notifications (ScoreVersions).
///
/// Rows changed behind physio's back (a retention job, a hand edit) are not
/// seen by any version: `maxAgeSeconds` bounds how long an answer outlives them.
final class AnswerCache: Sendable {
    struct Key: Hashable {
        let route: String
        let caseID: String
        /// The parameters that shape the answer, as parsed (nil when absent).
        let parameters: [String?]
    }

    private struct Entry {
        let version: Int64
        let storedAt: UInt64
        let body: [UInt8]
    }

    private struct Store {
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var hits = 0
        var misses = 0
    }

    private let store = Locked(Store())
    let capacityBytes: Int
    let maxAgeSeconds: Double

    /// capacityBytes 0 keeps nothing.
    init(capacityBytes: Int, maxAgeSeconds: Double = 60) {
        self.capacityBytes = capacityBytes
        self.maxAgeSeconds = maxAgeSeconds
    }

    func body(for key: Key, version: Int64) -> [UInt8]? {
        guard capacityBytes > 0 else { return nil }
        let oldest = Clock.monotonicNanos() &- UInt64(maxAgeSeconds * 1e9)
        return store.withLock { store in
            guard let entry = store.entries[key], entry.version == version, entry.storedAt >= oldest else {
                store.misses += 1
                return nil
            }
            store.hits += 1
            return entry.body
        }
    }

    /// Keeps `body`; an answer over an eighth of the capacity is not worth
    /// the room. When full, arbitrary entries make way.
    func keep(_ body: [UInt8], for key: Key, version: Int64) {
        guard body.count <= capacityBytes / 8 else { return }
        let entry = Entry(version: version, storedAt: Clock.monotonicNanos(), body: body)
        store.withLock { store in
            if let replaced = store.entries.updateValue(entry, forKey: key) { store.bytes -= replaced.body.count }
            store.bytes += body.count
            while store.bytes > capacityBytes, let victim = store.entries.first(where: { $0.key != key }) {
                store.bytes -= victim.value.body.count
                store.entries.removeValue(forKey: victim.key)
            }
        }
    }

    /// Bytes kept, answers served from memory, and answers built.
    var statistics: (bytes: Int, hits: Int, misses: Int) { store.withLock { ($0.bytes, $0.hits, $0.misses) } }
}
