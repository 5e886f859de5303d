import PhysioCore
import PhysioStore

/// Does the work of a case's claimed jobs in one transaction: scores every
/// sample they cover, records the scores, merges anomalous samples into
/// episodes, refreshes the aggregates (plain PostgreSQL) and deletes the
/// jobs. A crash anywhere before COMMIT leaves nothing behind; the lease
/// then runs out and another worker does the same work again.
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
        let caseID = jobs[0].caseID
        return try connection.transaction {
            let owned = try queue.acquire(jobs.map(\.id), on: connection)
            let mine = jobs.filter { owned.contains($0.id) }
            guard !mine.isEmpty else { return Outcome() }
            // One case's episodes and buckets are written by one worker at a time.
            try connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", [caseID])

            let model = loaded.model
            let from = mine.map(\.from).min()!, to = mine.map(\.to).max()!
            let lookback = Int64(model.configuration.lookbackSeconds * 1e6)
            let series = try VitalsReader().read(caseID: caseID, from: from - lookback, to: to, on: connection)
            let rows = series.rows(from: from, to: to)
            let scores = model.score(series, rows: rows)
            let clean = model.configuration.artefacts.clean(series)
            let rules = model.metadata.parameters.rules

            var sampleScores: [SampleScore] = []
            sampleScores.reserveCapacity(rows.count)
            var points: [AnomalyPoint] = []
            for (offset, row) in rows.enumerated() {
                let timestamp = series.timestamps[row]
                // Stored as real: compare and merge at the precision that is kept.
                let score = Double(Float(scores[offset]))
                let anomalous = model.isAnomalous(score)
                let fired = rules.fired(inClean: clean, row: row)
                let enqueuedAt = mine.first { $0.from <= timestamp && timestamp <= $0.to }?.enqueuedAt ?? mine[0].enqueuedAt
                sampleScores.append(SampleScore(timestamp: timestamp, score: score, anomalous: anomalous,
                                                rules: fired, enqueuedAt: enqueuedAt))
                if anomalous {
                    let drivers = model.explain(series, row: row).map {
                        VitalWeight(vital: $0.vital, weight: ($0.weight * 10_000).rounded() / 10_000)
                    }
                    points.append(AnomalyPoint(timestamp: timestamp, score: score, vitals: drivers, rules: fired))
                }
            }
            try ScoreWriter().upsert(caseID: caseID, modelID: loaded.id, scores: sampleScores, on: connection)

            if let first = points.first, let last = points.last {
                let gap = Int64(episodes.maxGapSeconds * 1e6)
                let existing = try EpisodeStore().overlapping(caseID: caseID, from: first.timestamp - gap,
                                                              to: last.timestamp + gap, on: connection)
                let changes = episodes.merge(caseID: caseID, existing: existing, points: points)
                try EpisodeStore().apply(changes, modelID: loaded.id, on: connection)
            }
            if aggregates == .tables {
                try AggregateWriter().refresh(caseID: caseID, from: from, to: to, on: connection)
            }
            try queue.delete(mine.map(\.id), on: connection)

            let now = Clock.nowMicros()
            return Outcome(jobs: mine.count, samples: rows.count, latenciesMicros: mine.map { now - $0.enqueuedAt })
        }
    }
}
