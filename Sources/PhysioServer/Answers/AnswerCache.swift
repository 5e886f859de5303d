import PhysioCore
import PhysioStore

/// Whole `/vitals` answers, kept while the case has not changed. Samples
/// are only ever added to a case, in the transaction that also adds to its
/// `cases.samples`, so that count names the case's content: an answer
/// stored under it can be served again to a reader who sees the same count
/// (it was built at or after that reader's snapshot, never before). Bucketed
/// answers of a case still being monitored change every second and miss;
/// finished cases, and several screens showing one operation, hit.
///
/// Rows removed behind physio's back (a retention job) are not seen by the
/// count; `maxAgeSeconds` bounds how long such an answer can outlive them.
/// Only on plain PostgreSQL: a TimescaleDB refresh can change a bucket
/// (late samples) without a new sample, so there nothing is kept.
final class VitalsAnswerCache: Sendable {
    struct Key: Hashable {
        let caseID: String
        let bucket: String
        let from: Int64?
        let to: Int64?
    }

    private struct Entry {
        let samples: Int64
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
    /// Whether this database's answers depend on its samples alone; asked once.
    private let plainAggregates = Locked<Bool?>(nil)
    let capacityBytes: Int
    let maxAgeSeconds: Double

    /// capacityBytes 0 keeps nothing.
    init(capacityBytes: Int, maxAgeSeconds: Double = 60) {
        self.capacityBytes = capacityBytes
        self.maxAgeSeconds = maxAgeSeconds
    }

    func body(for key: Key, samples: Int64) -> [UInt8]? {
        guard capacityBytes > 0 else { return nil }
        let oldest = Clock.monotonicNanos() &- UInt64(maxAgeSeconds * 1e9)
        return store.withLock { store in
            guard let entry = store.entries[key], entry.samples == samples, entry.storedAt >= oldest else {
                store.misses += 1
                return nil
            }
            store.hits += 1
            return entry.body
        }
    }

    /// Keeps `body`; an answer over an eighth of the capacity is not worth
    /// the room. When full, arbitrary entries make way.
    func keep(_ body: [UInt8], for key: Key, samples: Int64, on connection: DatabaseConnection) throws {
        guard body.count <= capacityBytes / 8, try answersFollowSamples(on: connection) else { return }
        let entry = Entry(samples: samples, storedAt: Clock.monotonicNanos(), body: body)
        store.withLock { store in
            if let replaced = store.entries.updateValue(entry, forKey: key) { store.bytes -= replaced.body.count }
            store.bytes += body.count
            while store.bytes > capacityBytes, let victim = store.entries.first(where: { $0.key != key }) {
                store.bytes -= victim.value.body.count
                store.entries.removeValue(forKey: victim.key)
            }
        }
    }

    private func answersFollowSamples(on connection: DatabaseConnection) throws -> Bool {
        if let known = plainAggregates.value { return known }
        let plain = try AggregateMode.detect(on: connection) == .tables
        plainAggregates.withLock { $0 = plain }
        return plain
    }

    /// Bytes kept, answers served from memory, and answers built.
    var statistics: (bytes: Int, hits: Int, misses: Int) { store.withLock { ($0.bytes, $0.hits, $0.misses) } }
}
