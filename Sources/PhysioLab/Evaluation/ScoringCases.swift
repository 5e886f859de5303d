import PhysioCore

extension CaseScores {
    /// A case scored by `detector` on the rows of `window` (rows after it are
    /// dropped first; earlier rows are context), labelled by `rules` on values
    /// cleaned by `filter`, with the baselines computed from the same clean values.
    public init(series: SampleBatch, window: TimeWindow, rules: ClinicalRules, filter: ArtefactFilter,
                detector: (SampleBatch, Range<Int>) throws -> DetectorOutput) rethrows {
        let series = window.truncated(series)
        let rows = window.rows(in: series)
        let clean = filter.clean(series)
        let ruleTrue = (0..<clean.count).map { rules.anyFired(inClean: clean, row: $0) }
        self.init(caseID: series.caseID, timestamps: series.timestamps, ruleTrue: ruleTrue, evaluated: rows,
                  detector: try detector(series, rows),
                  reference: CaseReference(series: series, clean: clean, ruleTrue: ruleTrue, evaluated: rows, rules: rules,
                                           filter: filter))
    }

    /// A case scored by `model` with `CaseScorer`, as the workers score it
    /// (its rules unless `rules` is given, and its artefact filter).
    public init(series: SampleBatch, window: TimeWindow, model: AnomalyModel, rules: ClinicalRules? = nil) {
        let scorer = CaseScorer(model: model)
        self.init(series: series, window: window, rules: rules ?? model.rules, filter: model.artefacts) { series, rows in
            let samples = scorer.score(series, rows: rows, minutes: MinuteMeans(series)).samples
            return DetectorOutput(scores: samples.map(\.score), alarms: samples.map(\.anomalous))
        }
    }
}
