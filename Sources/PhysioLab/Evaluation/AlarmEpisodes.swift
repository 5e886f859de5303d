import PhysioCore

/// Alarms as a dashboard shows them: flagged samples merged into episodes
/// by the server's own `EpisodeBuilder`, so model and rules are counted
/// the same way the product counts them.
enum AlarmEpisodes {
    /// Episodes (sorted by start) of the rows in `rows` where `flagged` is true.
    static func merge(caseID: String, timestamps: [Int64], rows: Range<Int>, gapSeconds: Double,
                      flagged: (Int) -> Bool) -> [Episode] {
        let points = rows.filter(flagged).map { AnomalyPoint(timestamp: timestamps[$0], score: 1, rowBefore: EpisodeBuilder.rowBefore(timestamps, row: $0)) }
        guard !points.isEmpty else { return [] }
        let changes = EpisodeBuilder(maxGapSeconds: gapSeconds).merge(caseID: caseID, existing: [], points: points)
        return changes.upserted.sorted { $0.start < $1.start }
    }

    /// Per row: whether it lies within an episode (start ≤ t ≤ end).
    static func covered(_ episodes: [Episode], timestamps: [Int64]) -> [Bool] {
        var inside = [Bool](repeating: false, count: timestamps.count)
        var next = 0
        for (row, time) in timestamps.enumerated() {
            while next < episodes.count, episodes[next].end < time { next += 1 }
            inside[row] = next < episodes.count && episodes[next].start <= time
        }
        return inside
    }
}
