/// The clinical threshold rule set: the seed's ground truth for evaluation
/// and the "which rules fired" of an episode. Rules are evaluated on
/// artefact-cleaned values (see `ArtefactFilter`), where MAP may be the
/// estimate (SBP + 2·DBP)/3 when the monitor sent none.
///
/// Default set and where each threshold comes from:
///
/// | id | rule | source |
/// |---|---|---|
/// | hr_gt_140, hr_lt_40 | HR > 140, HR < 40 /min | seed protocol (DESIGN.md); NEWS2 scores HR ≥ 131 and ≤ 40 as 3 (most urgent band) |
/// | spo2_lt_90 | SpO2 < 90 % | seed; hypoxaemia needing treatment, WHO Pulse Oximetry Training Manual (2011) |
/// | sbp_lt_80 | SBP < 80 mmHg | seed; a common intraoperative-hypotension definition (Bijker et al., Anesthesiology 2007;107:213) |
/// | sbp_gt_180 | SBP > 180 mmHg | seed; hypertensive crisis at ≥ 180 (Whelton et al., ACC/AHA guideline, Hypertension 2018;71:e13) |
/// | mbp_lt_65 | MAP < 65 mmHg | seed; organ injury below 65 (Walsh et al., Anesthesiology 2013;119:507; Salmasi et al., Anesthesiology 2017;126:47) |
/// | rr_le_8 | RR ≤ 8 /min | NEWS2 (Royal College of Physicians 2017): 3 points; respiratory depression |
/// | temp_le_35, temp_ge_39_1 | T ≤ 35.0, ≥ 39.1 °C | NEWS2: 3 points for ≤ 35.0, its top band ≥ 39.1 |
///
/// NEWS2's other 3-point respiratory band, RR ≥ 25 (`rr_ge_25`), is only in
/// `extended`: it was made for ward patients, and in ICU charts it is true
/// for a quarter of all samples (MIMIC-III demo: 26 %), so as an alarm it
/// would be the norm rather than the exception.
///
/// EtCO2 has no default rule: its target under anaesthesia is set by the
/// ventilator settings the anaesthetist chooses (permissive hypercapnia,
/// deliberate hypocapnia), so no fixed limit means deterioration; none of
/// the shared data sets records it either. Add one with `init(rules:)`.
public struct ClinicalRules: Codable, Sendable, Equatable {
    public var rules: [ClinicalRule]

    public init(rules: [ClinicalRule]) { self.rules = rules }

    public static let standard = ClinicalRules(rules: [
        ClinicalRule(.hr, .greaterThan, 140, source: "seed protocol; NEWS2 HR >= 131 scores 3"),
        ClinicalRule(.hr, .lessThan, 40, source: "seed protocol; NEWS2 HR <= 40 scores 3"),
        ClinicalRule(.spo2, .lessThan, 90, source: "seed protocol; WHO Pulse Oximetry Training Manual 2011"),
        ClinicalRule(.sbp, .lessThan, 80, source: "seed protocol; Bijker et al., Anesthesiology 2007;107:213"),
        ClinicalRule(.sbp, .greaterThan, 180, source: "seed protocol; ACC/AHA 2017 hypertensive crisis >= 180"),
        ClinicalRule(.mbp, .lessThan, 65, source: "seed protocol; Walsh et al., Anesthesiology 2013;119:507"),
        ClinicalRule(.rr, .lessOrEqual, 8, source: "NEWS2 (Royal College of Physicians 2017) RR <= 8 scores 3"),
        ClinicalRule(.temp, .lessOrEqual, 35, source: "NEWS2 (Royal College of Physicians 2017) T <= 35.0 scores 3"),
        ClinicalRule(.temp, .greaterOrEqual, 39.1, source: "NEWS2 (Royal College of Physicians 2017) T >= 39.1, top band"),
    ])

    /// `standard` plus RR ≥ 25 /min (NEWS2, 3 points).
    public static let extended = ClinicalRules(rules: standard.rules + [
        ClinicalRule(.rr, .greaterOrEqual, 25, source: "NEWS2 (Royal College of Physicians 2017) RR >= 25 scores 3"),
    ])

    public var ids: [String] { rules.map(\.id) }

    /// Ids of the rules true at `row` of a raw series (cleaned here first, looking back for the artefact filter).
    public func fired(in series: SampleBatch, row: Int, filter: ArtefactFilter = .standard) -> [String] {
        let values = filter.cleanRow(series, row: row)
        return rules.compactMap { $0.isTrue(values[$0.vital.rawValue]) ? $0.id : nil }
    }

    /// Ids of the rules true at `row` of a series that is already clean (`ArtefactFilter.clean`).
    public func fired(inClean series: SampleBatch, row: Int) -> [String] {
        let base = row * Vital.count
        return rules.compactMap { $0.isTrue(series.values[base + $0.vital.rawValue]) ? $0.id : nil }
    }

    /// Whether any rule is true at `row` of a clean series: the label of the seed protocol.
    @inline(__always)
    public func anyFired(inClean series: SampleBatch, row: Int) -> Bool {
        let base = row * Vital.count
        return series.values.withUnsafeBufferPointer { values in
            for rule in rules where rule.isTrue(values[base + rule.vital.rawValue]) { return true }
            return false
        }
    }

    /// `anyFired` for every row of a raw series (cleaned once).
    public func labels(for series: SampleBatch, filter: ArtefactFilter = .standard) -> [Bool] {
        let clean = filter.clean(series)
        return (0..<clean.count).map { anyFired(inClean: clean, row: $0) }
    }
}
