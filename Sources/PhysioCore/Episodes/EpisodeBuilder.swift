import PhysioPlatform

/// Merges anomalous samples into episodes, as a pure function the worker
/// applies in the same transaction as the scores.
///
/// Episodes are the connected groups of anomalous samples when two samples
/// no more than `maxGapSeconds` apart are connected, and so are two
/// consecutive rows of a case sent at a slower pace (`rowBefore`): a
/// monitor or record sending one row a minute gives one episode for a
/// hypotension of ten rows, not ten. That makes the result a function of
/// the anomalous samples: jobs may arrive in any order, a later job may
/// extend an episode or bridge two, and processing the same samples again
/// changes nothing (idempotent). Episodes are never split: rows arriving
/// late between two joined rows of a slow record leave them joined.
///
/// Give `merge` every stored episode of the case that ends at or after
/// (first new point − `reachSeconds`) and starts at or before (last new
/// point + `reachSeconds`); others cannot be touched.
public struct EpisodeBuilder: Sendable {
    public var maxGapSeconds: Double

    public init(maxGapSeconds: Double = 30) {
        precondition(maxGapSeconds >= 0)
        self.maxGapSeconds = maxGapSeconds
    }

    /// The longest step between two rows that can join them: a cuff alone
    /// every 5 minutes (the ASA's longest interval), a reading late, still
    /// joins, as the pressures' hold keeps a reading 6 minutes; an hourly
    /// chart's rows do not.
    public static let maxRowGapSeconds: Double = 360

    /// How far from new points a stored episode can still be joined to them.
    public var reachSeconds: Double { max(maxGapSeconds, Self.maxRowGapSeconds) }

    /// The time of the row before `row` when the two are consecutive rows of
    /// the case's own pace: the step is at most `maxRowGapSeconds` and at
    /// most twice the longer of the two steps before it (a dropped row still
    /// joins, a dropout of several does not; the longer of two, because a
    /// monitor may send HR and SpO2 in rows a moment apart, once a minute).
    /// A step before the case's first row counts as long. A job whose
    /// context (≥ 2 × `maxRowGapSeconds`) lacks a row three back sees the
    /// same answer as the whole case: with the step ≤ 360 s, the two before
    /// it then span over 360 s, so the longer is over 180 s.
    public static func rowBefore(_ times: [Int64], row: Int) -> Int64? {
        guard row >= 1 else { return nil }
        let step = times[row] - times[row - 1]
        guard step <= Timestamp.micros(seconds: maxRowGapSeconds) else { return nil }
        guard row >= 3 else { return times[row - 1] }
        let pace = max(times[row - 1] - times[row - 2], times[row - 2] - times[row - 3])
        return step <= 2 * pace ? times[row - 1] : nil
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
            // Joined within the gap, or when the row before the item is the group's last.
            if var current = group, item.episode.start - current.end <= gap || item.episode.rowBefore.map({ $0 <= current.end }) == true {
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
