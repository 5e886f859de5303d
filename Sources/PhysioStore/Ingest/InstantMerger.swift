import PhysioCore

/// One instant of one case: the key of a `vitals` row.
struct InstantKey: Hashable, Sendable {
    let caseID: String
    let timestamp: Int64
}

/// Merges the samples of a commit that share an instant, with each other
/// and with rows already stored, in arrival order (units, their batches,
/// their rows). A vital still empty is filled; the same value again is a
/// duplicate; a different value is a conflict and the first value stays.
/// Pure: the writer locks and reads the stored rows, and writes what this
/// decides.
struct InstantMerger {
    /// What to write, and what to answer.
    struct Resolution {
        /// Per unit, per batch.
        var counts: [[IngestCounts]]
        /// New instants, one batch per case, in time order.
        var inserts: [SampleBatch] = []
        /// Stored instants that gain vitals: their full row after the merge.
        var fills: [SampleBatch] = []
        /// Per case, instants inserted or filled: what must be scored (again).
        var changed: [String: [Int64]] = [:]

        var changesAnything: Bool { !inserts.isEmpty || !fills.isEmpty }
    }

    /// Resolves `units` against `stored` (the rows of their instants that
    /// exist, NaN for an empty vital). A unit that refuses conflicts and has
    /// one is left out whole, and the others resolved again without it.
    static func resolve(_ units: [IngestUnit], stored: [InstantKey: [Float]]) -> Resolution {
        var refused: [Int: [IngestCounts]] = [:]
        while true {
            var pass = Pass(stored: stored)
            var counts: [[IngestCounts]] = []
            var newlyRefused = false
            for (index, unit) in units.enumerated() {
                if let earlier = refused[index] { counts.append(earlier); continue }
                let unitCounts = unit.batches.map { pass.add($0) }
                if unit.refusesConflicts && unitCounts.contains(where: { $0.conflicts > 0 }) {
                    refused[index] = unitCounts.map(Self.refusing)
                    newlyRefused = true
                    break
                }
                counts.append(unitCounts)
            }
            if !newlyRefused { return pass.resolution(counts: counts) }
        }
    }

    /// The counts of a refused unit: what would have happened, marked refused.
    private static func refusing(_ counts: IngestCounts) -> IngestCounts {
        IngestCounts(accepted: counts.accepted, merged: counts.merged, duplicates: counts.duplicates, conflicts: counts.conflicts,
                     conflicting: counts.conflicting, refused: true, outcomes: counts.outcomes)
    }

    /// One pass over the units in order, keeping each instant's row as it grows.
    private struct Pass {
        let stored: [InstantKey: [Float]]
        var slots: [InstantKey: Int] = [:]
        var keys: [InstantKey] = []
        var values: [Float] = []        // row-major, Vital.count per slot
        var wasStored: [Bool] = []
        var filled: [Bool] = []

        init(stored: [InstantKey: [Float]]) { self.stored = stored }

        mutating func add(_ batch: SampleBatch) -> IngestCounts {
            var outcomes = [SampleOutcome](repeating: .accepted, count: batch.count)
            var conflicting: [SampleConflict] = []
            var tally = (accepted: 0, merged: 0, duplicates: 0, conflicts: 0)
            for row in 0..<batch.count {
                let key = InstantKey(caseID: batch.caseID, timestamp: batch.timestamps[row])
                let base = row * Vital.count
                guard let slot = slot(for: key) else {
                    slots[key] = keys.count
                    keys.append(key)
                    batch.values.withUnsafeBufferPointer { values.append(contentsOf: $0[base..<(base + Vital.count)]) }
                    wasStored.append(false)
                    filled.append(false)
                    tally.accepted += 1
                    continue
                }
                var fields: [SampleConflict.Field] = []
                var gained: UInt8 = 0  // one bit per vital filled
                for vital in Vital.allCases {
                    let sent = batch.values[base + vital.rawValue]
                    if sent.isNaN { continue }
                    let index = slot * Vital.count + vital.rawValue
                    let current = values[index]
                    if current.isNaN {
                        values[index] = sent
                        gained |= 1 << vital.rawValue
                    } else if current != sent {
                        fields.append(.init(vital: vital, stored: current, sent: sent))
                    }
                }
                if gained != 0 && wasStored[slot] { filled[slot] = true }
                if !fields.isEmpty {
                    outcomes[row] = .conflict
                    tally.conflicts += 1
                    conflicting.append(SampleConflict(row: row, timestamp: key.timestamp, fields: fields,
                                                      filled: Vital.allCases.filter { gained & (1 << $0.rawValue) != 0 }))
                } else if gained != 0 {
                    outcomes[row] = .merged
                    tally.merged += 1
                } else {
                    outcomes[row] = .duplicate
                    tally.duplicates += 1
                }
            }
            return IngestCounts(accepted: tally.accepted, merged: tally.merged, duplicates: tally.duplicates, conflicts: tally.conflicts,
                                conflicting: conflicting, refused: false, outcomes: outcomes)
        }

        /// The instant's slot, made from its stored row on first sight; nil if it is new.
        private mutating func slot(for key: InstantKey) -> Int? {
            if let slot = slots[key] { return slot }
            guard let row = stored[key] else { return nil }
            slots[key] = keys.count
            keys.append(key)
            values.append(contentsOf: row)
            wasStored.append(true)
            filled.append(false)
            return keys.count - 1
        }

        func resolution(counts: [[IngestCounts]]) -> Resolution {
            var resolution = Resolution(counts: counts)
            var inserts: [String: SampleBatch] = [:]
            var fills: [String: SampleBatch] = [:]
            let order = keys.indices.sorted { (keys[$0].caseID, keys[$0].timestamp) < (keys[$1].caseID, keys[$1].timestamp) }
            values.withUnsafeBufferPointer { values in
                for slot in order where !wasStored[slot] || filled[slot] {
                    let key = keys[slot]
                    let row = UnsafeBufferPointer(rebasing: values[(slot * Vital.count)..<((slot + 1) * Vital.count)])
                    if wasStored[slot] {
                        fills[key.caseID, default: SampleBatch(caseID: key.caseID)].appendRow(timestamp: key.timestamp, values: row)
                    } else {
                        inserts[key.caseID, default: SampleBatch(caseID: key.caseID)].appendRow(timestamp: key.timestamp, values: row)
                    }
                    resolution.changed[key.caseID, default: []].append(key.timestamp)
                }
            }
            resolution.inserts = inserts.keys.sorted().map { inserts[$0]! }
            resolution.fills = fills.keys.sorted().map { fills[$0]! }
            return resolution
        }
    }
}
