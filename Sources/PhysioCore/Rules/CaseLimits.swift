import PhysioPlatform

/// Alarm limits a team sets for one patient, as it sets them on the
/// monitor: MAP < 50 during a deliberate hypotension, HR > 180 for a child,
/// MAP < 75 for a patient whose usual pressure is high. Each moves the
/// limit of one default rule (`ClinicalRules.standard`, by its id); the
/// rule keeps its vital and comparison and takes an id from its new limit
/// (`mbp_lt_50`), so episodes and alarms name the limit that fired. The
/// breach risk, the safety floor and the rule alarms all follow it.
///
/// A limit moves only within `allowedRanges`: wide enough for a child and
/// for a planned hypotension, never so far that a rule can no longer fire
/// (no limit past the vital's plausible range). Turning a rule off is not
/// offered: an alarm a team does not want is acknowledged, not silenced.
public struct CaseLimits: Sendable, Equatable {
    /// Default rule id → the case's limit.
    public var limits: [String: Float]

    public init(_ limits: [String: Float] = [:]) { self.limits = limits }

    public var isEmpty: Bool { limits.isEmpty }

    /// How far each default rule's limit may be moved. Bounds in the spirit
    /// of monitors' adjustable alarm limits (IntelliVue and Carescape allow
    /// wider; these keep every rule able to fire on a plausible reading).
    public static let allowedRanges: [String: ClosedRange<Float>] = [
        "hr_gt_140": 100...250,
        "hr_lt_40": 25...100,
        "spo2_lt_90": 70...99,
        "sbp_lt_80": 50...120,
        "sbp_gt_180": 120...260,
        "mbp_lt_65": 40...100,
        "rr_le_8": 3...15,
        "temp_le_35": 32...36.5,
        "temp_ge_39_1": 37.5...41,
    ]

    /// Why `limit` cannot be the case's limit of rule `id`, or nil when it can.
    public static func refusal(rule id: String, limit: Double) -> String? {
        guard let range = allowedRanges[id] else {
            return "'\(id.prefix(64))' is not a default rule; limits move one of \(allowedRanges.keys.sorted().joined(separator: ", "))"
        }
        guard limit.isFinite, Double(range.lowerBound) <= limit, limit <= Double(range.upperBound) else {
            return "the limit of \(id) must be a number from \(format(range.lowerBound)) to \(format(range.upperBound))"
        }
        return nil
    }

    /// `rules` with each limit set here moved; a rule not named keeps its own.
    public func applied(to rules: ClinicalRules) -> ClinicalRules {
        guard !isEmpty else { return rules }
        return ClinicalRules(rules: rules.rules.map { rule in
            guard let limit = limits[rule.id], limit != rule.limit else { return rule }
            return ClinicalRule(rule.vital, rule.comparison, limit, source: "case limit, default \(rule.description)")
        })
    }

    /// `model` watching the case's limits. An escalation tier that no longer
    /// lies inside its vital's rule (MAP < 55 once the limit is MAP < 50) is
    /// left out: a deeper tier above the team's own limit would alarm the
    /// planned pressure.
    public func applied(to model: AnomalyModel) -> AnomalyModel {
        guard !isEmpty else { return model }
        var watched = model
        watched.rules = applied(to: model.rules)
        watched.policy.escalations = model.policy.escalations.filter { tier in
            watched.rules.rules.contains { rule in rule.vital == tier.vital && rule.contains(tier) }
        }
        return watched
    }

    /// `{"mbp_lt_65": 50, …}`, rules in order of their ids: the API's and the store's form.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        for rule in limits.keys.sorted() {
            json.key(rule)
            json.value(limits[rule]!)
        }
        json.endObject()
    }

    private static func format(_ value: Float) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

extension ClinicalRule {
    /// Whether every value for which `other` is true makes this rule true
    /// too (same vital, same direction, limit no further out).
    func contains(_ other: ClinicalRule) -> Bool {
        guard other.vital == vital else { return false }
        switch (comparison, other.comparison) {
        case (.lessThan, .lessThan), (.lessOrEqual, .lessOrEqual), (.lessOrEqual, .lessThan): return other.limit <= limit
        case (.lessThan, .lessOrEqual): return other.limit < limit
        case (.greaterThan, .greaterThan), (.greaterOrEqual, .greaterOrEqual), (.greaterOrEqual, .greaterThan): return other.limit >= limit
        case (.greaterThan, .greaterOrEqual): return other.limit > limit
        default: return false
        }
    }
}

/// A change of a case's limits as the workers meet it: the rules (and
/// tiers) the change brought in, and the newest row already scored when it
/// was made. Rows up to that one were judged by the limits before; the
/// scoring after the change reads them as context but does not judge them
/// again by the new rules: a breach of a new limit starts at the first row
/// scored under it, and no stored row is raised by it.
public struct LimitChange: Sendable, Equatable {
    /// Ids of the rules and escalation tiers of the new limits that the old ones lacked.
    public let rules: Set<String>
    /// The time of the newest scored row when the limits changed (µs).
    public let scoredThrough: Int64

    public init(rules: Set<String>, scoredThrough: Int64) {
        self.rules = rules
        self.scoredThrough = scoredThrough
    }

    /// The change from a model watching the old limits to one watching the
    /// new (`CaseLimits.applied(to:)`); nil when it brings in no rule.
    public static func between(_ previous: AnomalyModel, _ current: AnomalyModel, scoredThrough: Int64) -> LimitChange? {
        let ids = { (watched: AnomalyModel) in Set((watched.rules.rules + watched.policy.escalations).map(\.id)) }
        let new = ids(current).subtracting(ids(previous))
        return new.isEmpty ? nil : LimitChange(rules: new, scoredThrough: scoredThrough)
    }
}

