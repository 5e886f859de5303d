import PhysioPlatform

/// One clinical rule (or escalation tier) true at an alarming sample, and
/// when its alarm was raised (`AlarmPolicy.ruleRaisedTimes`; nil: not yet,
/// or never: a run too brief).
public struct RuleMark: Sendable, Equatable {
    public var rule: String
    public var raisedAt: Int64?

    public init(rule: String, raisedAt: Int64?) {
        self.rule = rule
        self.raisedAt = raisedAt
    }
}

/// A rule's alarm inside an episode: its true samples no more than
/// `rearmSeconds` apart, from `first` to `last`, raised at `raisedAt` (the
/// earliest its samples carry; nil while none was raised). A rule back
/// inside its limit for longer than that and true again is a new alarm;
/// one wavering across it is one. Built from the samples alone, so jobs in
/// any order, and merges, give the whole case's alarms.
public struct RuleAlarm: Codable, Sendable, Equatable, Hashable {
    public var rule: String
    public var first: Int64
    public var last: Int64
    public var raisedAt: Int64?

    /// How long a rule must be back inside its limit for its next breach to
    /// be a new alarm: the score's hold, after which a warning would end too.
    public static let rearmSeconds: Double = 120

    public init(rule: String, first: Int64, last: Int64, raisedAt: Int64?) {
        self.rule = rule
        self.first = first
        self.last = last
        self.raisedAt = raisedAt
    }

    enum CodingKeys: String, CodingKey { case rule, first, last, raisedAt = "raised_at" }

    /// What an acknowledgement names: the rule and when its alarm was raised.
    public var key: String? { raisedAt.map { Self.key(rule: rule, raisedAt: $0) } }

    /// `rule@raised_at` (ISO 8601), as acknowledgements store it.
    public static func key(rule: String, raisedAt: Int64) -> String { "\(rule)@\(Timestamp.format(raisedAt))" }

    /// The raised ones of `alarms`, by when each was raised.
    public static func raised(_ alarms: [RuleAlarm]) -> [RuleAlarm] {
        alarms.filter { $0.raisedAt != nil }.sorted { ($0.raisedAt!, $0.rule) < ($1.raisedAt!, $1.rule) }
    }

    /// A `key` read back as the rule and the time.
    public static func parse(key: String) -> (rule: String, raisedAt: Int64)? {
        guard let at = key.lastIndex(of: "@"), let time = Timestamp.parseRFC3339(String(key[key.index(after: at)...])) else { return nil }
        return (String(key[..<at]), time)
    }

    /// Whether `key` names this alarm: its rule, raised within its span. Late
    /// rows that date the alarm earlier, or a merge that joins a span less
    /// than the rearm time away, leave it the alarm the key named; another
    /// breach of the rule minutes later is another alarm.
    public func isNamed(by key: String) -> Bool {
        guard let named = Self.parse(key: key), named.rule == rule else { return false }
        return named.raisedAt >= first && named.raisedAt <= last + Timestamp.micros(seconds: Self.rearmSeconds)
    }

    /// `alarms` with each rule's spans no more than `rearmSeconds` apart joined, by rule then time.
    public static func coalesced(_ alarms: [RuleAlarm]) -> [RuleAlarm] {
        let rearm = Timestamp.micros(seconds: rearmSeconds)
        var result: [RuleAlarm] = []
        for alarm in alarms.sorted(by: { ($0.rule, $0.first, $0.last) < ($1.rule, $1.first, $1.last) }) {
            if var current = result.last, current.rule == alarm.rule, alarm.first - current.last <= rearm {
                current.last = max(current.last, alarm.last)
                current.raisedAt = [current.raisedAt, alarm.raisedAt].compactMap { $0 }.min()
                result[result.count - 1] = current
            } else {
                result.append(alarm)
            }
        }
        return result
    }
}
