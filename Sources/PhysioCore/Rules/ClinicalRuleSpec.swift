/// Rule sets written as text, for command lines: `standard`, `extended`, or
/// comma-separated rules such as `hr>140,hr<40,spo2<90,mbp<65`
/// (operators `>`, `>=`, `<`, `<=`; vitals by their column names).
extension ClinicalRules {
    public static func parse(_ text: String) throws(RuleSpecError) -> ClinicalRules {
        switch text {
        case "standard": return .standard
        case "extended": return .extended
        default: break
        }
        let rules = try text.split(separator: ",").map { piece throws(RuleSpecError) in try ClinicalRule.parse(String(piece)) }
        guard !rules.isEmpty else { throw RuleSpecError(text: text) }
        return ClinicalRules(rules: rules)
    }

    /// The rules as text `parse` reads back.
    public var spec: String { rules.map(\.spec).joined(separator: ",") }
}

extension ClinicalRule {
    /// One rule, e.g. `sbp<80` or `temp>=39.1`; a known rule keeps its documented source.
    public static func parse(_ text: String) throws(RuleSpecError) -> ClinicalRule {
        let trimmed = text.filter { $0 != " " }
        for comparison in [Comparison.greaterOrEqual, .lessOrEqual, .greaterThan, .lessThan] {
            let parts = trimmed.split(separator: comparison.rawValue, maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            guard let vital = Vital(name: String(parts[0])), let limit = Float(String(parts[1])), limit.isFinite else {
                throw RuleSpecError(text: text)
            }
            let rule = ClinicalRule(vital, comparison, limit, source: "given on the command line")
            return ClinicalRules.extended.rules.first { $0.id == rule.id } ?? rule
        }
        throw RuleSpecError(text: text)
    }

    public var spec: String {
        vital.name + comparison.rawValue + (limit == limit.rounded() ? String(Int(limit)) : String(limit))
    }
}

public struct RuleSpecError: Error, CustomStringConvertible {
    public let text: String
    public var description: String {
        "'\(text)' is not a rule set: give standard, extended, or rules like hr>140,spo2<90,mbp<65 (vitals: \(Vital.allCases.map(\.name).joined(separator: ", ")))"
    }
}
