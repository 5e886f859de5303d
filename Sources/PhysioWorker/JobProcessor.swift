import PhysioCore
import PhysioStore
import PhysioPlatform

/// Does the work of claimed jobs, of any number of cases, in one
/// transaction: deletes the jobs (which locks them), refreshes the
/// aggregates (plain PostgreSQL), scores every sample they cover, records
/// the scores and merges anomalous samples into episodes. Set-based SQL keeps the
/// round trips per batch constant, and one commit serves them all. A crash
/// anywhere before COMMIT leaves nothing behind; the leases then run out
/// and another worker does the same work again.
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
            let owned = try queue.take(jobs.map(\.id), on: connection)
            let mine = jobs.filter { owned.contains($0.id) }
            guard !mine.isEmpty else { return Outcome() }
            let byCase = Dictionary(grouping: mine, by: \.caseID)
            let caseIDs = byCase.keys.sorted()
            // One case's episodes and buckets are written by one worker at a time.
            try CaseLocks.lock(caseIDs, on: connection)

            let model = loaded.model
            let scorer = CaseScorer(model: model)
            // A case's own alarm limits, where its team set any (one indexed read per batch).
            let limits = try CaseLimitStore().inForce(caseIDs, on: connection)
            let ranges = caseIDs.map { caseID in
                CaseRange(caseID: caseID, from: byCase[caseID]!.map(\.from).min()!, to: byCase[caseID]!.map(\.to).max()!)
            }
            // Buckets first: a job's later rows read a baseline of minutes the
            // same job brought (a backfill of an hour is one job).
            if aggregates == .tables { try AggregateWriter().refresh(ranges, on: connection) }
            let lookback = Timestamp.micros(seconds: model.lookbackSeconds)
            // Stored rows after a job whose alarms its scores may still raise
            // (persistence and hold): a later job scored first, by another worker.
            let policyReach = Timestamp.micros(seconds: model.scoreLookbackSeconds)
            let history = try ScoreStore().history(
                ranges.map { CaseRange(caseID: $0.caseID, from: $0.from - lookback - policyReach, to: $0.to + policyReach) },
                on: connection)
            let withLater = ranges.map { range in
                CaseRange(caseID: range.caseID, from: range.from, to: max(range.to, history[range.caseID]?.last?.time ?? range.to))
            }
            let series = try VitalsReader().read(withLater.map { CaseRange(caseID: $0.caseID, from: $0.from - lookback, to: $0.to) },
                                                 previousPressureSeconds: model.artefacts.previousPressureSeconds,
                                                 paceRows: AnomalyModel.paceRows, paceSeconds: AnomalyModel.paceSeconds,
                                                 on: connection)
            let minutes = try MinuteMeansReader().read(withLater.map { Self.baselineMinutes($0, model: model) },
                                                       fromRawRows: aggregates == .continuousAggregates ? Self.late(mine) : [],
                                                       on: connection)

            var scores: [SampleScore] = []
            var raised: [(caseID: String, timestamp: Int64, source: AlarmSource)] = []
            var points: [String: [AnomalyPoint]] = [:]
            for range in ranges {
                let caseID = range.caseID, jobs = byCase[caseID]!, series = series[caseID]!
                let scorer = limits[caseID].map { Self.scorer(model, $0, contextFrom: range.from - lookback - policyReach) } ?? scorer
                var earlier = history[caseID] ?? []
                for rows in Self.rows(of: jobs, in: series) {
                    let start = series.timestamps[rows.lowerBound], end = series.timestamps[rows.upperBound - 1]
                    let later = Set(earlier.lazy.map(\.time).filter { $0 > end && $0 - end <= policyReach })
                    let upper = later.max().map { SortedTimes.firstIndex(series.timestamps, atOrAfter: $0 + 1,
                                                                         in: rows.upperBound..<series.count) } ?? rows.upperBound
                    let scoring = scorer.score(series, rows: rows.lowerBound..<upper, minutes: minutes[caseID] ?? MinuteMeans(),
                                               earlier: earlier.filter { $0.time < start })
                    var scored: [(time: Int64, score: Double)] = []
                    for sample in scoring.samples {
                        if sample.timestamp > end {
                            // Stored later rows: their scores stand, their alarms may rise.
                            if later.contains(sample.timestamp), let source = sample.source {
                                raised.append((caseID, sample.timestamp, source))
                                points[caseID, default: []].append(sample.point)
                            }
                            continue
                        }
                        scored.append((sample.timestamp, sample.score))
                        let enqueuedAt = jobs.first { $0.from <= sample.timestamp && sample.timestamp <= $0.to }?.enqueuedAt ?? jobs[0].enqueuedAt
                        scores.append(SampleScore(caseID: caseID, timestamp: sample.timestamp, score: sample.score,
                                                  source: sample.source, rules: sample.rules, enqueuedAt: enqueuedAt))
                        if sample.anomalous { points[caseID, default: []].append(sample.point) }
                    }
                    for sample in scoring.backdated {
                        raised.append((caseID, sample.timestamp, .rule))
                        points[caseID, default: []].append(sample.point)
                    }
                    // Later spans of this case see these scores as earlier ones.
                    earlier = earlier.filter { $0.time < start } + scored + earlier.filter { $0.time > end }
                }
            }
            try ScoreStore().upsert(scores, modelID: loaded.id, on: connection)
            try ScoreStore().raiseAlarms(raised, on: connection)
            for caseID in points.keys.sorted() {
                let casePoints = points[caseID]!.sorted { $0.timestamp < $1.timestamp }
                let reach = Timestamp.micros(seconds: episodes.reachSeconds)
                let existing = try EpisodeStore().overlapping(caseID: caseID, from: casePoints.first!.timestamp - reach,
                                                              to: casePoints.last!.timestamp + reach, on: connection)
                try EpisodeStore().apply(episodes.merge(caseID: caseID, existing: existing, points: casePoints),
                                         modelID: loaded.id, on: connection)
            }
            try CaseEvents.notify(.scores, spans: ranges.map { ($0.caseID, $0.from...$0.to) }, on: connection)

            let now = Clock.nowMicros()
            return Outcome(jobs: mine.count, samples: scores.count, latenciesMicros: mine.map { now - $0.enqueuedAt })
        }
    }

    /// The scorer of a case whose team changed its limits: the model with
    /// them, and, while the context may hold rows scored before the change,
    /// the rules the change brought in, which do not judge those rows again.
    static func scorer(_ model: AnomalyModel, _ limits: CaseLimitsInForce, contextFrom: Int64) -> CaseScorer {
        let watched = limits.limits.applied(to: model)
        let change = limits.scoredThrough.flatMap { through in
            through >= contextFrom ? LimitChange.between(limits.previous.applied(to: model), watched, scoredThrough: through) : nil
        }
        return CaseScorer(model: watched, limitChange: change)
    }

    /// Cases with a job of rows more than a minute old when it was queued.
    /// Under TimescaleDB such rows may lie below the continuous aggregate's
    /// watermark (the refresh policy stops a minute short of now), where they
    /// are missing from it until the next refresh: a backfill's later jobs
    /// would read a baseline without the minutes its earlier ones brought.
    /// Rows of a live monitor are newer and always in it (real-time aggregation).
    static func late(_ jobs: [InferenceJob]) -> Set<String> {
        Set(jobs.filter { $0.enqueuedAt - $0.to > Timestamp.micros(seconds: 60) }.map(\.caseID))
    }

    /// The minute buckets a range's baselines read: from 35 minutes before
    /// its first sample's minute to 5 minutes before its last one's.
    static func baselineMinutes(_ range: CaseRange, model: AnomalyModel) -> CaseRange {
        let minute: Int64 = 60_000_000
        return CaseRange(caseID: range.caseID,
                         from: (MinuteMeans.minute(of: range.from) - Int64(model.baseline.fromMinutesAgo)) * minute,
                         to: (MinuteMeans.minute(of: range.to) - Int64(model.baseline.toMinutesAgo)) * minute)
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
}
