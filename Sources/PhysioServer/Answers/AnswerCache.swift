import PhysioCore
import PhysioPlatform

/// Whole read answers kept in memory under a version of what they were
/// built from, and served again while the case still has that version. The
/// routes choose the version and say why it is safe: `/vitals` the case's
/// sample count (VitalsRoutes), `/anomalies` its score version from the
/// workers' notifications (ScoreVersions).
///
/// Rows removed behind the versions' back (`physio retention`) are announced
/// on the case-events channel, and every node then forgets what it keeps
/// (`forgetAll`), as it does when its listener reconnects; an answer whose
/// build began before that is not kept. Rows changed by hand are seen by no
/// version: `maxAgeSeconds` bounds how long an answer outlives them.
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
        /// Raised by `forgetAll`: an answer built from a read begun before it is not kept.
        var generation: Int64 = 0
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

    /// Read before the version and the rows an answer is built from, and handed to `keep`.
    var generation: Int64 { store.withLock { $0.generation } }

    /// Keeps `body`, unless what it was built from may since have been
    /// removed (`generation` is no longer the one read before building); an
    /// answer over an eighth of the capacity is not worth the room. When
    /// full, arbitrary entries make way.
    func keep(_ body: [UInt8], for key: Key, version: Int64, generation: Int64) {
        guard body.count <= capacityBytes / 8 else { return }
        let entry = Entry(version: version, storedAt: Clock.monotonicNanos(), body: body)
        store.withLock { store in
            guard store.generation == generation else { return }
            if let replaced = store.entries.updateValue(entry, forKey: key) { store.bytes -= replaced.body.count }
            store.bytes += body.count
            while store.bytes > capacityBytes, let victim = store.entries.first(where: { $0.key != key }) {
                store.bytes -= victim.value.body.count
                store.entries.removeValue(forKey: victim.key)
            }
        }
    }

    /// Rows were removed, or news of them may have been missed: nothing kept is served again.
    func forgetAll() {
        store.withLock { store in
            store.generation += 1
            store.entries.removeAll()
            store.bytes = 0
        }
    }

    /// Bytes kept, answers served from memory, and answers built.
    var statistics: (bytes: Int, hits: Int, misses: Int) { store.withLock { ($0.bytes, $0.hits, $0.misses) } }
}
