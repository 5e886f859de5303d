import PhysioCore

extension ClinicalRules {
    /// MAP < 65 or SBP < 80 mmHg: the breaches of the hypotension
    /// early-warning task (MAP < 65 is the target of Hatib et al.,
    /// Anesthesiology 2018;129:663, and the usual intraoperative definition).
    public static let hypotension = ClinicalRules(rules: standard.rules.filter { ["mbp_lt_65", "sbp_lt_80"].contains($0.id) })
}
