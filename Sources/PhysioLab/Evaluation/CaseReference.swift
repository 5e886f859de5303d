import PhysioCore

/// What a case's own samples say without any detector: every baseline's
/// score on the evaluated rows, where a hypotension rule is true (the label
/// of the hypotension early-warning task) and which vitals the monitor sent.
public struct CaseReference: Sendable {
    /// Per baseline, one score per evaluated row.
    public let baselines: [Baseline: [Double]]
    /// MAP < 65 or SBP < 80 at the row (artefact-cleaned), every row.
    public let hypotensionTrue: [Bool]
    /// Vitals with at least one physiologically plausible value among the evaluated rows, as sent (no estimated MAP).
    public let vitalsSent: [Vital]

    public init(baselines: [Baseline: [Double]], hypotensionTrue: [Bool], vitalsSent: [Vital]) {
        self.baselines = baselines
        self.hypotensionTrue = hypotensionTrue
        self.vitalsSent = vitalsSent
    }

    /// From the case as read (`series`), the same case cleaned by `filter` with its vitals held (`held`), and its rule flags.
    init(series: SampleBatch, held: SampleBatch, ruleTrue: [Bool], evaluated: Range<Int>, rules: ClinicalRules,
         filter: ArtefactFilter) {
        baselines = Baseline.scores(held: held, ruleTrue: ruleTrue, rows: evaluated, rules: rules)
        hypotensionTrue = (0..<held.count).map { ClinicalRules.hypotension.anyFired(inClean: held, row: $0) }
        vitalsSent = Vital.allCases.filter { vital in
            let range = filter.range(of: vital)
            return evaluated.contains { row in series.value(vital, row: row).map(range.contains) ?? false }
        }
    }
}
