import PhysioCore

extension CaseScores {
    /// A case scored by `detector` on the rows of `window` (rows after it are
    /// dropped first; earlier rows are context), labelled by `rules` on values
    /// cleaned by `filter`.
    public init(series: SampleBatch, window: TimeWindow, rules: ClinicalRules, filter: ArtefactFilter,
                detector: (SampleBatch, Range<Int>) throws -> DetectorOutput) rethrows {
        let series = window.truncated(series)
        let rows = window.rows(in: series)
        self.init(caseID: series.caseID, timestamps: series.timestamps, ruleTrue: rules.labels(for: series, filter: filter),
                  evaluated: rows, detector: try detector(series, rows))
    }

    /// A case scored by `model` (its rules unless `rules` is given, and its artefact filter).
    public init(series: SampleBatch, window: TimeWindow, model: AnomalyModel, rules: ClinicalRules? = nil) {
        self.init(series: series, window: window, rules: rules ?? model.rules, filter: model.configuration.artefacts) {
            DetectorOutput(scores: model.score($0, rows: $1), threshold: model.threshold)
        }
    }
}
