import PhysioCore

/// How close the patient is to the nearest clinical threshold, the obvious
/// generalisation of "current MAP" to every rule. For each rule whose vital
/// has a value, the margin is how far the value sits on the safe side of
/// the limit (negative once past it), divided by the vital's typical
/// short-term variability; the score is minus the smallest margin, so a
/// higher score is closer to a breach (or deeper in one). With no vital of
/// any rule present it is −∞: ranked below every observed state.
public enum ThresholdDistance {
    /// Roughly one standard deviation of each vital over five minutes in an
    /// anaesthetised adult: the scale on which "close to a limit" is judged.
    /// Set by hand, in line with VitalDB case 1 (median 5-min SD: HR 2.4 /min,
    /// SBP 5.2, DBP 2.1 mmHg; its SpO2 sits at 100 %); 1 % for SpO2 because
    /// oximeters report whole percent.
    public static let scale: [Vital: Float] = [
        .hr: 3, .sbp: 5, .dbp: 3, .mbp: 4, .spo2: 1, .rr: 2, .etco2: 2, .temp: 0.2,
    ]

    /// Margin of `value` to `rule`'s limit in units of the vital's scale
    /// (positive: not breached).
    public static func margin(_ value: Float, to rule: ClinicalRule) -> Double {
        let distance = rule.comparison == .lessThan || rule.comparison == .lessOrEqual
            ? Double(value) - Double(rule.limit) : Double(rule.limit) - Double(value)
        return distance / Double(scale[rule.vital] ?? 1)
    }

    /// Minus the smallest margin over the rules whose vital `value` gives.
    public static func score(rules: ClinicalRules, value: (Vital) -> Float?) -> Double {
        var nearest = Double.infinity
        for rule in rules.rules {
            guard let current = value(rule.vital) else { continue }
            nearest = min(nearest, margin(current, to: rule))
        }
        return -nearest
    }
}
