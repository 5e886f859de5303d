/// A vital and how much it drove an anomaly (a share, ≥ 0).
public struct VitalWeight: Codable, Sendable, Equatable {
    public let vital: Vital
    public let weight: Double

    public init(vital: Vital, weight: Double) {
        self.vital = vital
        self.weight = weight
    }

    enum CodingKeys: String, CodingKey { case vital, weight }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .vital)
        guard let vital = Vital(name: name) else {
            throw DecodingError.dataCorruptedError(forKey: .vital, in: container, debugDescription: "unknown vital \(name)")
        }
        self.init(vital: vital, weight: try container.decode(Double.self, forKey: .weight))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vital.name, forKey: .vital)
        try container.encode(weight, forKey: .weight)
    }
}

/// One scored sample above the model's threshold.
public struct AnomalyPoint: Sendable, Equatable {
    public var timestamp: Int64
    public var score: Double
    /// `AnomalyModel.explain` at this sample.
    public var vitals: [VitalWeight]
    /// Clinical rules true at this sample.
    public var rules: [String]
    /// What raised the alarm at this sample.
    public var source: AlarmSource
    /// Time of the case's row just before this sample when the two are
    /// consecutive rows of a slow record (`EpisodeBuilder.rowBefore`), else
    /// nil: an alarmed row right after another alarmed row continues its episode.
    public var rowBefore: Int64?
    /// When the alarm at this sample was raised (`ScoredSample.raisedAt`).
    public var raisedAt: Int64?
    /// `ScoredSample.ruleMarks`.
    public var ruleMarks: [RuleMark]

    public init(timestamp: Int64, score: Double, vitals: [VitalWeight] = [], rules: [String] = [], source: AlarmSource = .model,
                rowBefore: Int64? = nil, raisedAt: Int64? = nil, ruleMarks: [RuleMark] = []) {
        self.timestamp = timestamp
        self.score = score
        self.vitals = vitals
        self.rules = rules
        self.source = source
        self.rowBefore = rowBefore
        self.raisedAt = raisedAt
        self.ruleMarks = ruleMarks
    }
}

/// Consecutive anomalous samples of one case: no two more than the
/// builder's gap apart, or consecutive rows of a slow record. Identified
/// by (caseID, start).
public struct Episode: Codable, Sendable, Equatable {
    public var caseID: String
    public var start: Int64
    public var end: Int64
    public var peakScore: Double
    public var peakTime: Int64
    /// The vitals that drove the peak sample (its explanation): the peak is
    /// what a clinician looks at, and taking it from one sample keeps merging
    /// exact (an average over samples could not be updated without them all).
    public var vitals: [VitalWeight]
    /// Ids of the clinical rules that fired at any anomalous sample of the episode, sorted.
    public var rules: [String]
    /// What raised its alarms: the model, the clinical-rule safety floor, or both (at any of its samples).
    public var source: AlarmSource
    /// Time of the case's row just before `start` (`AnomalyPoint.rowBefore`):
    /// what joins the episode to one ending at that row. Not part of the API.
    public var rowBefore: Int64? = nil
    /// When its first alarm was raised, in sample time: `start` for a model
    /// warning; for the safety floor, when the breach had lasted its minute
    /// (its rows before that are alarmed back-dated). Nil for episodes stored
    /// before it was kept.
    public var raisedAt: Int64? = nil
    /// Each rule's own alarms (`RuleAlarm`, by rule then time), raised or
    /// not yet. One raised after `raisedAt` is a new alarm inside an open
    /// episode (a desaturation during a hypotension, a hypotension back after
    /// minutes of recovery), which an acknowledgement before it does not cover.
    public var alarms: [RuleAlarm] = []

    public init(caseID: String, start: Int64, end: Int64, peakScore: Double, peakTime: Int64,
                vitals: [VitalWeight], rules: [String], source: AlarmSource = .model, rowBefore: Int64? = nil,
                raisedAt: Int64? = nil, alarms: [RuleAlarm] = []) {
        self.caseID = caseID
        self.start = start
        self.end = end
        self.peakScore = peakScore
        self.peakTime = peakTime
        self.vitals = vitals
        self.rules = rules
        self.source = source
        self.rowBefore = rowBefore
        self.raisedAt = raisedAt
        self.alarms = alarms
    }

    init(caseID: String, point: AnomalyPoint) {
        self.init(caseID: caseID, start: point.timestamp, end: point.timestamp, peakScore: point.score,
                  peakTime: point.timestamp, vitals: point.vitals, rules: Array(Set(point.rules)).sorted(), source: point.source,
                  rowBefore: point.rowBefore, raisedAt: point.raisedAt,
                  alarms: RuleAlarm.coalesced(point.ruleMarks.map {
                      RuleAlarm(rule: $0.rule, first: point.timestamp, last: point.timestamp, raisedAt: $0.raisedAt)
                  }))
    }

    /// Absorbs `other` (which must overlap or follow within the gap).
    mutating func absorb(_ other: Episode) {
        if other.start < start || (other.start == start && rowBefore == nil) { rowBefore = other.rowBefore }
        start = min(start, other.start)
        end = max(end, other.end)
        // Higher score wins; on a tie the earlier sample, so the result does not depend on merge order.
        if other.peakScore > peakScore || (other.peakScore == peakScore && other.peakTime < peakTime) {
            peakScore = other.peakScore
            peakTime = other.peakTime
            vitals = other.vitals
        }
        if !other.rules.allSatisfy(rules.contains) { rules = Array(Set(rules).union(other.rules)).sorted() }
        source = source.union(other.source)
        raisedAt = [raisedAt, other.raisedAt].compactMap { $0 }.min()
        if !other.alarms.isEmpty { alarms = RuleAlarm.coalesced(alarms + other.alarms) }
    }

    /// Its raised rule alarms, by when each was raised.
    public var raisedAlarms: [(rule: String, raisedAt: Int64)] {
        RuleAlarm.raised(alarms).map { ($0.rule, $0.raisedAt!) }
    }

    /// The rule alarms raised after the episode's first, by when each was raised.
    public var laterAlarms: [(rule: String, raisedAt: Int64)] {
        guard let first = raisedAt else { return [] }
        return raisedAlarms.filter { $0.raisedAt > first }
    }

    enum CodingKeys: String, CodingKey {
        case caseID = "case_id", start, end, peakScore = "peak_score", peakTime = "peak_time", vitals, rules, source
        case raisedAt = "raised_at", alarms
    }
}
