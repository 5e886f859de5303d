import PhysioCore
import PhysioStore
import PhysioPlatform

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
            // One case's episodes and buckets are written by one worker at a time.
            try CaseLocks.lock(caseIDs, on: connection)

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
            try ScoreStore().upsert(scores, modelID: loaded.id, on: connection)
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

    /// Scores the rows the jobs cover (earlier rows of `series` are context).
    private func score(_ range: CaseRange, jobs: [InferenceJob], series: SampleBatch, model: AnomalyModel,
                       into scores: inout [SampleScore], points: inout [String: [AnomalyPoint]]) {
        let spans = Self.rows(of: jobs, in: series)
        guard !spans.isEmpty else { return }
        let clean = model.configuration.artefacts.clean(series)
        for rows in spans {
            score(rows, caseID: range.caseID, jobs: jobs, series: series, clean: clean, model: model, into: &scores, points: &points)
        }
    }

    /// The rows of each job, overlapping ones merged. Not the span from the
    /// first job to the last: a case's claimed jobs need not be adjacent, and
    /// the rows between them are other jobs', maybe another worker's.
    static func rows(of jobs: [InferenceJob], in series: SampleBatch) -> [Range<Int>] {
        var merged: [Range<Int>] = []
        for rows in jobs.map({ series.rows(from: $0.from, to: $0.to) }).filter({ !$0.isEmpty }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, rows.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, rows.upperBound)
            } else {
                merged.append(rows)
            }
        }
        return merged
    }

    private func score(_ rows: Range<Int>, caseID: String, jobs: [InferenceJob], series: SampleBatch, clean: SampleBatch,
                       model: AnomalyModel, into scores: inout [SampleScore], points: inout [String: [AnomalyPoint]]) {
        let (values, raw, imputed) = model.scoredFeatures(series, rows: rows)
        let rules = model.metadata.parameters.rules
        for (offset, row) in rows.enumerated() {
            let timestamp = series.timestamps[row]
            // Stored as real: compare and merge at the precision that is kept.
            let score = Double(Float(values[offset]))
            let anomalous = model.isAnomalous(score)
            let fired = rules.fired(inClean: clean, row: row)
            let enqueuedAt = jobs.first { $0.from <= timestamp && timestamp <= $0.to }?.enqueuedAt ?? jobs[0].enqueuedAt
            scores.append(SampleScore(caseID: caseID, timestamp: timestamp, score: score, anomalous: anomalous,
                                      rules: fired, enqueuedAt: enqueuedAt))
            if anomalous {
                let drivers = model.explain(raw: raw, imputed: imputed, row: offset).map {
                    VitalWeight(vital: $0.vital, weight: ($0.weight * 10_000).rounded() / 10_000)
                }
                points[caseID, default: []].append(AnomalyPoint(timestamp: timestamp, score: score, vitals: drivers, rules: fired))
            }
        }
    }
}
