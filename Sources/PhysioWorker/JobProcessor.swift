import PhysioCore
import PhysioStore

/// Does the work of claimed jobs, of any number of cases, in one
/// transaction: scores every sample they cover, records the scores, merges
/// anomalous samples into episodes, refreshes the aggregates (plain
/// PostgreSQL) and deletes the jobs. Set-based SQL keeps the round trips per
/// batch constant, and one commit serves them all. A crash anywhere before
/// COMMIT leaves nothing behind; the leases then run out and another worker
/// does the same work again.
struct JobProcessor {
    let queue: JobQueue
    let episodes: EpisodeBuilder
    let aggregates: AggregateMode

    struct Outcome {
        var jobs = 0
        var samples = 0
        /// Microseconds from each job being queued to its scores being written.
        var latenciesMicros: [Int64] = []
    }

    func process(_ jobs: [InferenceJob], with loaded: ActiveModel.Loaded, on connection: DatabaseConnection) throws -> Outcome {
        try connection.transaction {
            let owned = try queue.acquire(jobs.map(\.id), on: connection)
            let mine = jobs.filter { owned.contains($0.id) }
            guard !mine.isEmpty else { return Outcome() }
            let byCase = Dictionary(grouping: mine, by: \.caseID)
            let caseIDs = byCase.keys.sorted()
            // One case's episodes and buckets are written by one worker at a
            // time; locks taken in key order cannot deadlock.
            try connection.query("""
                SELECT pg_advisory_xact_lock(key)
                FROM (SELECT DISTINCT hashtext(c) AS key FROM unnest($1::text[]) AS c ORDER BY 1) AS keys
                """, [PostgresArray.literal(caseIDs)])

            let model = loaded.model
            let lookback = Int64(model.configuration.lookbackSeconds * 1e6)
            let ranges = caseIDs.map { caseID in
                CaseRange(caseID: caseID, from: byCase[caseID]!.map(\.from).min()!, to: byCase[caseID]!.map(\.to).max()!)
            }
            let series = try VitalsReader().read(
                ranges.map { CaseRange(caseID: $0.caseID, from: $0.from - lookback, to: $0.to) }, on: connection)

            var scores: [SampleScore] = []
            var points: [String: [AnomalyPoint]] = [:]
            for range in ranges {
                score(range, jobs: byCase[range.caseID]!, series: series[range.caseID]!, model: model,
                      into: &scores, points: &points)
            }
            try ScoreWriter().upsert(scores, modelID: loaded.id, on: connection)
            for caseID in points.keys.sorted() {
                let casePoints = points[caseID]!
                let gap = Int64(episodes.maxGapSeconds * 1e6)
                let existing = try EpisodeStore().overlapping(caseID: caseID, from: casePoints.first!.timestamp - gap,
                                                              to: casePoints.last!.timestamp + gap, on: connection)
                try EpisodeStore().apply(episodes.merge(caseID: caseID, existing: existing, points: casePoints),
                                         modelID: loaded.id, on: connection)
            }
            if aggregates == .tables { try AggregateWriter().refresh(ranges, on: connection) }
            try queue.delete(mine.map(\.id), on: connection)
            try CaseEvents.notify(.scores, caseIDs: caseIDs, on: connection)

            let now = Clock.nowMicros()
            return Outcome(jobs: mine.count, samples: scores.count, latenciesMicros: mine.map { now - $0.enqueuedAt })
        }
    }

    /// Scores the rows of `range` (earlier rows of `series` are context).
    private func score(_ range: CaseRange, jobs: [InferenceJob], series: SampleBatch, model: AnomalyModel,
                       into scores: inout [SampleScore], points: inout [String: [AnomalyPoint]]) {
        let rows = series.rows(from: range.from, to: range.to)
        guard !rows.isEmpty else { return }
        let values = model.score(series, rows: rows)
        let clean = model.configuration.artefacts.clean(series)
        let rules = model.metadata.parameters.rules
        for (offset, row) in rows.enumerated() {
            let timestamp = series.timestamps[row]
            // Stored as real: compare and merge at the precision that is kept.
            let score = Double(Float(values[offset]))
            let anomalous = model.isAnomalous(score)
            let fired = rules.fired(inClean: clean, row: row)
            let enqueuedAt = jobs.first { $0.from <= timestamp && timestamp <= $0.to }?.enqueuedAt ?? jobs[0].enqueuedAt
            scores.append(SampleScore(caseID: range.caseID, timestamp: timestamp, score: score, anomalous: anomalous,
                                      rules: fired, enqueuedAt: enqueuedAt))
            if anomalous {
                let drivers = model.explain(series, row: row).map {
                    VitalWeight(vital: $0.vital, weight: ($0.weight * 10_000).rounded() / 10_000)
                }
                points[range.caseID, default: []].append(AnomalyPoint(timestamp: timestamp, score: score, vitals: drivers, rules: fired))
            }
        }
    }
}
