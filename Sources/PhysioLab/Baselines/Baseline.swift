import PhysioCore

/// The obvious scorers a detector must beat, computed from each case's own
/// artefact-cleaned samples and judged by the same code in the same run.
/// Higher = riskier. Vitals are held as the detector holds them (`VitalHold`): a cuff reading stands until the next.
public enum Baseline: String, CaseIterable, Sendable {
    /// 1 where a clinical rule of the evaluation's set is true, else 0: the seed protocol's own label.
    case rules
    /// `NEWS2` over HR, SBP, SpO2, RR and temperature.
    case news2
    /// Minus the current MAP (measured, or estimated from SBP and DBP): lower pressure = riskier.
    case currentMAP = "current_map"
    /// `ThresholdDistance` to the nearest rule of the evaluation's set.
    case thresholdDistance = "threshold_distance"

    public var title: String {
        switch self {
        case .rules: "plain rules"
        case .news2: "NEWS2 (monitor)"
        case .currentMAP: "current MAP"
        case .thresholdDistance: "threshold distance"
        }
    }

    public var definition: String {
        switch self {
        case .rules: "1 where a clinical rule is true at the sample, else 0"
        case .news2: "NEWS2 (Royal College of Physicians 2017) over HR, SBP, SpO2 scale 1, RR and temperature; no consciousness or oxygen terms; absent parameters add 0"
        case .currentMAP: "minus the current MAP (measured, else (SBP + 2·DBP)/3); no MAP held: ranked last"
        case .thresholdDistance: "minus the smallest margin to a rule's limit, in units of the vital's typical 5-min SD (HR 3, SBP 5, DBP 3, MAP 4 mmHg, SpO2 1 %, RR 2, EtCO2 2, T 0.2 °C)"
        }
    }

    /// Every baseline's score on rows `rows` of a case: `held` is the case
    /// artefact-cleaned with each vital held (`VitalHold.heldSeries`; all rows,
    /// context included), `ruleTrue` its rule flags.
    public static func scores(held: SampleBatch, ruleTrue: [Bool], rows: Range<Int>, rules: ClinicalRules) -> [Baseline: [Double]] {
        var scores: [Baseline: [Double]] = [:]
        for baseline in allCases {
            scores[baseline] = rows.map { row in
                switch baseline {
                case .rules:
                    return ruleTrue[row] ? 1 : 0
                case .news2:
                    return Double(NEWS2.score(hr: held.value(.hr, row: row), sbp: held.value(.sbp, row: row),
                                              spo2: held.value(.spo2, row: row), rr: held.value(.rr, row: row),
                                              temp: held.value(.temp, row: row)))
                case .currentMAP:
                    return held.value(.mbp, row: row).map { -Double($0) } ?? -.infinity
                case .thresholdDistance:
                    return ThresholdDistance.score(rules: rules) { held.value($0, row: row) }
                }
            }
        }
        return scores
    }
}
