import PhysioPlatform

/// Merges anomalous samples into episodes, as a pure function the worker
/// applies in the same transaction as the scores.
///
/// Episodes are the connected groups of anomalous samples when two samples
/// no more than `maxGapSeconds` apart are connected. That makes the result
/// a function of the *set* of anomalous samples: jobs may arrive in any
/// order, a later job may extend an episode or bridge two, and processing
/// the same samples again changes nothing (idempotent).
///
/// Give `merge` every stored episode of the case that ends at or after
/// (first new point − gap) and starts at or before (last new point + gap);
/// others cannot be touched.
public struct EpisodeBuilder: Sendable {
    public var maxGapSeconds: Double

    public init(maxGapSeconds: Double = 30) {
        precondition(maxGapSeconds >= 0)
        self.maxGapSeconds = maxGapSeconds
    }

    /// What to write: delete `deleted` (by caseID and start), then upsert `upserted`.
    public struct Changes: Sendable, Equatable {
        public var deleted: [Episode] = []
        public var upserted: [Episode] = []
        public var isEmpty: Bool { deleted.isEmpty && upserted.isEmpty }
    }

    public func merge(caseID: String, existing: [Episode], points: [AnomalyPoint]) -> Changes {
        precondition(existing.allSatisfy { $0.caseID == caseID }, "episodes of another case")
        let gap = Timestamp.micros(seconds: maxGapSeconds)
        // Existing episodes first among equal starts, so an unchanged episode is met before its own samples.
        var items: [(episode: Episode, existingIndex: Int?)] =
            existing.enumerated().map { ($0.element, $0.offset) } + points.map { (Episode(caseID: caseID, point: $0), nil) }
        items.sort { a, b in
            if a.episode.start != b.episode.start { return a.episode.start < b.episode.start }
            return (a.existingIndex != nil) && (b.existingIndex == nil)
        }
        var changes = Changes()
        var group: Episode?
        var members: [Int] = []
        func close() {
            guard let merged = group else { return }
            let keeper = members.first { existing[$0].start == merged.start }
            for member in members where member != keeper { changes.deleted.append(existing[member]) }
            if keeper.map({ existing[$0] != merged }) ?? true { changes.upserted.append(merged) }
        }
        for item in items {
            if var current = group, item.episode.start - current.end <= gap {
                current.absorb(item.episode)
                group = current
            } else {
                close()
                group = item.episode
                members = []
            }
            if let index = item.existingIndex { members.append(index) }
        }
        close()
        return changes
    }
}
