import PhysioCore

extension CaseScores {
    /// A case scored by `scorer` on the rows of `window` (rows after it are
    /// dropped first; earlier rows are context), labelled by `rules` on values
    /// cleaned by `filter`.
    public init(series: SampleBatch, window: TimeWindow, rules: ClinicalRules, filter: ArtefactFilter, threshold: Double,
                scorer: (SampleBatch, Range<Int>) throws -> [Double]) rethrows {
        let series = window.truncated(series)
        let rows = window.rows(in: series)
        self.init(caseID: series.caseID, timestamps: series.timestamps, ruleTrue: rules.labels(for: series, filter: filter),
                  evaluated: rows, scores: try scorer(series, rows), threshold: threshold)
    }

    /// A case scored by `model` (its rules unless `rules` is given, and its artefact filter).
    public init(series: SampleBatch, window: TimeWindow, model: AnomalyModel, rules: ClinicalRules? = nil) {
        self.init(series: series, window: window, rules: rules ?? model.rules, filter: model.configuration.artefacts,
                  threshold: model.threshold) { model.score($0, rows: $1) }
    }
}
