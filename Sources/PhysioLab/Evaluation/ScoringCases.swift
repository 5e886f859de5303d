import PhysioCore

extension CaseScores {
    /// A case scored by `detector` on the rows of `window` (rows after it are
    /// dropped first; earlier rows are context), labelled by `rules` on values
    /// cleaned by `filter` and held as `hold` says (a cuff reading stands
    /// until the next, as the detector's safety floor reads it), with the
    /// baselines computed from the same held values.
    public init(series: SampleBatch, window: TimeWindow, rules: ClinicalRules, filter: ArtefactFilter,
                hold: VitalHold = .standard, detector: (SampleBatch, Range<Int>) throws -> DetectorOutput) rethrows {
        let series = window.truncated(series)
        let rows = window.rows(in: series)
        let clean = filter.clean(series)
        let keptAlone = filter.pressuresKeptAlone(series, from: 0, clean: clean)
        let held = hold.heldSeries(clean, ends: filter.holdEnds(series, from: 0, clean: clean, keptAlone: keptAlone))
        let ruleTrue = (0..<held.count).map { rules.anyFired(inClean: held, row: $0) }
        self.init(caseID: series.caseID, timestamps: series.timestamps, ruleTrue: ruleTrue, evaluated: rows,
                  detector: try detector(series, rows),
                  reference: CaseReference(series: series, held: held, ruleTrue: ruleTrue, evaluated: rows, rules: rules,
                                           filter: filter))
    }

    /// A case scored by `model` with `CaseScorer`, as the workers score it
    /// (its rules unless `rules` is given, and its artefact filter).
    public init(series: SampleBatch, window: TimeWindow, model: AnomalyModel, rules: ClinicalRules? = nil) {
        let scorer = CaseScorer(model: model), hypotension = CaseScorer(model: model.restricted(to: .hypotension))
        self.init(series: series, window: window, rules: rules ?? model.rules, filter: model.artefacts, hold: model.hold) { series, rows in
            let minutes = MinuteMeans(series)
            let samples = scorer.score(series, rows: rows, minutes: minutes).samples
            return DetectorOutput(scores: samples.map(\.score), alarms: samples.map(\.anomalous),
                                  hypotensionScores: hypotension.score(series, rows: rows, minutes: minutes).samples.map(\.score))
        }
    }
}
