import PhysioCore

/// A labelled deterioration with a known onset (simulated data).
public struct TrueEvent: Sendable, Equatable {
    public let caseID: String
    public let kind: String
    /// Microseconds: the first moment the vitals leave the patient's course, and back on it.
    public let onset: Int64
    public let end: Int64
    /// False for a near miss or a benign change: an alarm during it is a false alarm, not a detection.
    public let shouldAlarm: Bool

    public init(caseID: String, kind: String, onset: Int64, end: Int64, shouldAlarm: Bool = true) {
        precondition(end >= onset)
        self.caseID = caseID
        self.kind = kind
        self.onset = onset
        self.end = end
        self.shouldAlarm = shouldAlarm
    }
}

/// How the model and the rules met one labelled event. Only events that
/// lie wholly inside the evaluated rows are judged.
public struct EventOutcome: Sendable {
    public private(set) var event: TrueEvent
    /// Seconds from onset to the first model alarm in [onset, end]; nil = missed.
    public let modelDelay: Double?
    /// Seconds from onset to the first rule-true sample in [onset, end]; nil = no rule fired.
    public let ruleDelay: Double?
    /// Start of the first sustained rule episode that begins in [onset, end]:
    /// the breach an early warning for this event is about.
    let breachOnset: Int64?

    init(_ event: TrueEvent, scores: CaseScores, rules: RuleTimeline, settings: EvaluationSettings) {
        self.event = event
        let rows = SortedTimes.firstIndex(scores.timestamps, atOrAfter: event.onset, in: scores.evaluated)
            ..< SortedTimes.firstIndex(scores.timestamps, atOrAfter: event.end + 1, in: scores.evaluated)
        func delay(_ row: Int?) -> Double? { row.map { Double(scores.timestamps[$0] - event.onset) / 1e6 } }
        modelDelay = delay(rows.first { scores.alarm(row: $0) })
        ruleDelay = delay(rows.first { scores.ruleTrue[$0] })
        breachOnset = rules.sustainedOnsets.first { $0 >= event.onset && $0 <= event.end }
    }

    /// The outcome counted as an event that should alarm (for per-kind tables).
    var asDetection: EventOutcome {
        var copy = self
        copy.event = TrueEvent(caseID: event.caseID, kind: event.kind, onset: event.onset, end: event.end)
        return copy
    }

    /// Seconds by which the model's first alarm preceded the rules' (negative: later).
    public var leadOverRules: Double? {
        guard let modelDelay, let ruleDelay else { return nil }
        return ruleDelay - modelDelay
    }
}

/// The labelled events of an evaluation, summed up. Detections count the
/// events that should alarm (deteriorations); near misses and benign changes
/// are counted apart, as alarms the model should not have raised.
public struct EventSummary: Sendable {
    public let outcomes: [EventOutcome]

    public init(outcomes: [EventOutcome]) {
        self.outcomes = outcomes.filter(\.event.shouldAlarm)
        let others = outcomes.filter { !$0.event.shouldAlarm }
        falseAlarmCandidates = others.count
        falselyAlarmed = others.filter { $0.modelDelay != nil }.count
        byKindAll = Dictionary(grouping: outcomes, by: \.event.kind).sorted { $0.key < $1.key }
    }

    /// Near misses and benign changes, and those during which the model alarmed.
    public let falseAlarmCandidates: Int
    public let falselyAlarmed: Int
    private let byKindAll: [(key: String, value: [EventOutcome])]

    public var events: Int { outcomes.count }
    public var modelDetected: Int { outcomes.filter { $0.modelDelay != nil }.count }
    public var rulesDetected: Int { outcomes.filter { $0.ruleDelay != nil }.count }
    /// Events both detected where the model's first alarm came strictly before the rules'.
    public var modelFirst: Int { outcomes.filter { ($0.leadOverRules ?? 0) > 0 }.count }
    public var medianModelDelay: Double? { Median.of(outcomes.compactMap(\.modelDelay)) }
    public var medianRuleDelay: Double? { Median.of(outcomes.compactMap(\.ruleDelay)) }
    public var medianLeadOverRules: Double? { Median.of(outcomes.compactMap(\.leadOverRules)) }

    /// One summary per event kind (every kind, near misses included), by kind name.
    public var byKind: [(kind: String, summary: EventSummary)] {
        byKindAll.map { ($0.key, EventSummary(outcomes: $0.value.map { $0.asDetection })) }
    }
}
