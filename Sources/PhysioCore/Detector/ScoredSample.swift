/// One sample as the detector judged it.
public struct ScoredSample: Sendable, Equatable {
    public var timestamp: Int64
    /// In [0, 1]: the chance of a clinical-rule breach within the horizon,
    /// raised by whatever is novel (see `AnomalyModel`). 1 while a rule is breached.
    public var score: Double
    /// Nil when the sample raises no alarm.
    public var source: AlarmSource?
    /// Ids of the clinical rules true at the sample (held, artefact-cleaned values).
    public var rules: [String]
    /// What drove the score, shares summing to 1; filled for alarming samples only.
    public var drivers: [VitalWeight]
    /// `EpisodeBuilder.rowBefore` of an alarming sample, for its episode (nil otherwise).
    public var rowBefore: Int64?
    /// When its alarm was raised, in sample time: the sample's own time, or
    /// later for a row the safety floor alarms back-dated (nil when not alarming).
    public var raisedAt: Int64?
    /// The rules and escalation tiers true at an alarming sample, each with
    /// when its own alarm was raised (`AlarmPolicy.ruleRaisedTimes`).
    public var ruleMarks: [RuleMark]

    public var anomalous: Bool { source != nil }

    public init(timestamp: Int64, score: Double, source: AlarmSource?, rules: [String], drivers: [VitalWeight], rowBefore: Int64? = nil,
                raisedAt: Int64? = nil, ruleMarks: [RuleMark] = []) {
        self.timestamp = timestamp
        self.score = score
        self.source = source
        self.rules = rules
        self.drivers = drivers
        self.rowBefore = rowBefore
        self.raisedAt = raisedAt
        self.ruleMarks = ruleMarks
    }

    /// The sample as a point of an episode.
    public var point: AnomalyPoint {
        AnomalyPoint(timestamp: timestamp, score: score, vitals: drivers, rules: rules, source: source ?? .model, rowBefore: rowBefore,
                     raisedAt: raisedAt, ruleMarks: ruleMarks)
    }
}

/// A case's scoring: the samples asked for and, before them, samples the
/// safety floor now alarms that were scored earlier (a breach is known to
/// be sustained only a minute after it began).
public struct CaseScoring: Sendable {
    public var samples: [ScoredSample]
    public var backdated: [ScoredSample]
}
