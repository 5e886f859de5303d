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

    /// `events`: labelled events by case id, or nil when the data has none.
    public init(cases: [CaseScores], events: [String: [TrueEvent]]? = nil, settings: EvaluationSettings = .init()) {
        self.settings = settings
        var seedSamples = ScoredSamples()
        var warning = EarlyWarningAccumulator(label: "a rule episode lasting ≥ \(Self.seconds(settings.sustainSeconds)) s starts within the next \(Self.seconds(settings.horizonSeconds)) s")
        var eventWarning = EarlyWarningAccumulator(label: "the first sustained breach of a labelled event starts within the next \(Self.seconds(settings.horizonSeconds)) s (breaches no event explains are left out)")
        var burden = AlarmBurden()
        var outcomes: [EventOutcome] = []
        var results: [CaseResult] = []
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
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
