import PhysioCore

/// Everything `physio evaluate` reports, computed from scored cases.
///
/// 1. **Seed protocol**: every evaluated sample; label = any clinical rule
///    true at that sample (artefact-cleaned values); AUROC, AUPRC, and
///    precision, recall and F1 of the detector's alarms.
/// 2. **Early warning**: samples not in alarm whose next `horizon` was
///    observed; label = a sustained breach (a rule episode of at least
///    `sustain`) starts within the horizon. Only cases whose median sampling
///    interval is at most `maximumSpacing`. Lead times as `LeadTime`.
/// 3. **Alarm burden** (`AlarmBurden`): episodes per hour of model and rules.
/// 4. With labelled events (simulated data): early warning of the events'
///    breaches, and per event how soon model and rules reacted (`EventOutcome`).
/// 5. **Baselines** (`ScorerComparison`): the detector and every `Baseline`
///    ranked on the seed protocol, early warning and hypotension early
///    warning, with bootstrap intervals by case.
/// 6. **Feed subsets**: all of the above again per feed (`CaseFeed`).
public struct Evaluation: Sendable {
    public let settings: EvaluationSettings
    public let cases: [CaseResult]
    public let seed: TaskMetrics
    public let earlyWarning: EarlyWarningResult
    /// Early warning of labelled events' breaches; nil without events.
    public let eventEarlyWarning: EarlyWarningResult?
    public let burden: AlarmBurden
    public let events: EventSummary?
    /// Pooled samples of the seed protocol and of early warning, for curves.
    public let seedSamples: ScoredSamples
    public let earlyWarningSamples: ScoredSamples
    public let comparison: ScorerComparison
    /// Where the feed subsets come from: "feeds.csv" or "vitals sent".
    public let feedSource: String
    /// The evaluation of each feed subset, by name; empty when all cases share one feed.
    public private(set) var feeds: [FeedEvaluation] = []

    /// `events`: labelled events by case id, or nil when the data has none;
    /// `feeds`: each case's feed (feeds.csv), or nil to group by the vitals sent.
    public init(cases: [CaseScores], events: [String: [TrueEvent]]? = nil, feeds: [String: String]? = nil,
                settings: EvaluationSettings = .init()) {
        self.init(group: "all cases", cases: cases, events: events, feedSource: feeds == nil ? "vitals sent" : "feeds.csv",
                  settings: settings)
        let groups = CaseFeed.groups(cases, feeds: feeds)
        if groups.count > 1 {
            self.feeds = groups.map { group in
                FeedEvaluation(name: group.name, evaluation: Evaluation(group: "feed " + group.name, cases: group.cases, events: events,
                                                                       feedSource: feedSource, settings: settings))
            }
        }
    }

    private init(group: String, cases: [CaseScores], events: [String: [TrueEvent]]?, feedSource: String,
                 settings: EvaluationSettings) {
        self.settings = settings
        self.feedSource = feedSource
        let scorers = [Scorer.detector] + (cases.allSatisfy { $0.reference != nil } ? Baseline.allCases.map(Scorer.init) : [])
        var seedSamples = ScoredSamples()
        var warning = EarlyWarningAccumulator(label: "a breach lasting ≥ \(Self.seconds(settings.sustainSeconds)) s starts within the next \(Self.seconds(settings.horizonSeconds)) s")
        var eventWarning = EarlyWarningAccumulator(label: "the first sustained breach of a labelled event starts within the next \(Self.seconds(settings.horizonSeconds)) s (breaches no event explains are left out)")
        var burden = AlarmBurden()
        var outcomes: [EventOutcome] = []
        var results: [CaseResult] = []
        var ranked: [[RankingTask: CaseTaskSamples]] = []
        for scores in cases {
            var caseSamples = ScoredSamples()
            for row in scores.evaluated {
                caseSamples.append(score: scores.score(row: row), label: scores.ruleTrue[row], alarm: scores.alarm(row: row))
            }
            seedSamples.append(contentsOf: caseSamples)
            let rules = RuleTimeline(scores, settings: settings)
            let spacing = SortedTimes.medianSpacingSeconds(scores.timestamps, in: scores.evaluated)
            let isDense = spacing.map { $0 <= settings.maximumSpacingSeconds } ?? false
            let caseWarning = warning.add(scores, inAlarm: rules.inAlarm, onsets: rules.sustainedOnsets, isDense: isDense,
                                          horizon: settings.horizonMicros)
            let caseBurden = AlarmBurden(scores, rules: rules, settings: settings)
            burden = burden + caseBurden
            var caseEvents = 0
            if let events {
                let labelled = events[scores.caseID] ?? []
                let first = scores.evaluated.first.map { scores.timestamps[$0] } ?? .max
                let last = scores.evaluated.last.map { scores.timestamps[$0] } ?? .min
                let judged = labelled.filter { $0.onset >= first && $0.end <= last }
                    .map { EventOutcome($0, scores: scores, rules: rules, settings: settings) }
                outcomes += judged
                caseEvents = judged.count
                let targets = judged.compactMap(\.breachOnset)
                _ = eventWarning.add(scores, inAlarm: rules.inAlarm, onsets: targets,
                                     ignored: rules.sustainedOnsets.filter { !targets.contains($0) },
                                     isDense: isDense, horizon: settings.horizonMicros)
            }
            ranked.append(Self.rankingSamples(scores, rules: rules, isDense: isDense, scorers: scorers.count, settings: settings))
            results.append(CaseResult(caseID: scores.caseID, samples: scores.evaluated.count, hours: scores.evaluatedHours,
                                      medianSpacingSeconds: spacing, seed: TaskMetrics(caseSamples),
                                      earlyWarning: caseWarning, burden: caseBurden, events: caseEvents))
        }
        self.cases = results
        seed = TaskMetrics(seedSamples)
        earlyWarning = warning.result
        eventEarlyWarning = events == nil ? nil : eventWarning.result
        self.burden = burden
        self.events = events == nil ? nil : EventSummary(outcomes: outcomes)
        self.seedSamples = seedSamples
        earlyWarningSamples = warning.samples
        comparison = ScorerComparison(perCase: ranked, scorers: scorers, bootstrap: settings.bootstrap, group: group)
    }

    /// One case's samples of each ranking task, scored by the detector and (when `scorers` > 1) every baseline.
    static func rankingSamples(_ scores: CaseScores, rules: RuleTimeline, isDense: Bool, scorers: Int,
                               settings: EvaluationSettings) -> [RankingTask: CaseTaskSamples] {
        func samples(rows: [Int], labels: [Bool], detector: [Double]? = nil) -> CaseTaskSamples {
            var samples = CaseTaskSamples(scorers: scorers)
            samples.labels = labels
            samples.scores[0] = rows.map { (detector ?? scores.scores)[$0 - scores.evaluated.lowerBound] }
            if scorers > 1, let reference = scores.reference {
                for (index, baseline) in Baseline.allCases.enumerated() {
                    let values = reference.baselines[baseline]!
                    samples.scores[index + 1] = rows.map { values[$0 - scores.evaluated.lowerBound] }
                }
            }
            return samples
        }
        var tasks: [RankingTask: CaseTaskSamples] = [:]
        tasks[.seedProtocol] = samples(rows: Array(scores.evaluated), labels: scores.evaluated.map { scores.ruleTrue[$0] })
        guard isDense else { return tasks }
        let warning = EarlyWarningRows(timestamps: scores.timestamps, evaluated: scores.evaluated, inAlarm: rules.inAlarm,
                                       onsets: rules.sustainedOnsets, horizon: settings.horizonMicros)
        tasks[.earlyWarning] = samples(rows: warning.rows, labels: warning.labels)
        if let reference = scores.reference {
            let hypotension = RuleTimeline(scores, flags: reference.hypotensionTrue, settings: settings)
            let rows = EarlyWarningRows(timestamps: scores.timestamps, evaluated: scores.evaluated, inAlarm: hypotension.inAlarm,
                                        onsets: hypotension.sustainedOnsets, horizon: settings.horizonMicros)
            tasks[.hypotensionWarning] = samples(rows: rows.rows, labels: rows.labels, detector: scores.hypotensionScores)
        }
        return tasks
    }

    /// The detector's curves (named `detector`) and each baseline's, for `CurvePlot`.
    public func curveSeries(detector: String) -> [CurvePlot.Series] {
        var series = [CurvePlot.Series(name: detector, seed: seedSamples, earlyWarning: earlyWarningSamples)]
        let seed = comparison.task(.seedProtocol), warning = comparison.task(.earlyWarning)
        for (index, scorer) in comparison.scorers.enumerated().dropFirst() {
            series.append(CurvePlot.Series(name: scorer.title, seed: seed?.pooled[index] ?? ScoredSamples(),
                                           earlyWarning: warning?.pooled[index] ?? ScoredSamples(), showsAlarms: false))
        }
        return series
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// The evaluation of the cases of one feed subset.
public struct FeedEvaluation: Sendable {
    public let name: String
    public let evaluation: Evaluation
}
