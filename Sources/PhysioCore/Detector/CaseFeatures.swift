import PhysioPlatform

/// What the detector reads of one case's rows: artefact-cleaned samples,
/// held values, which rules are true, each vital's trends and baseline.
/// Shared by scoring and training, so the forests are grown on exactly
/// the features they later score.
struct CaseFeatures {
    let clean: SampleBatch
    /// Row-major held values of every row of `clean`.
    let held: [Float]
    /// Rows of `clean` whose pressures past the range were kept as a cuff's
    /// reading alone, not for having lasted (`ProfoundHypotension.hasLasted`).
    private let pressuresKeptAlone: [Bool]
    /// Rows of `clean` whose held pressures stand on a cuff's lone reading (`LoneReading`).
    private let loneReadings: [Bool]
    /// Rows of `clean` that are targets; earlier ones are context.
    let rows: Range<Int>
    /// The row of the series that is `clean`'s first.
    let contextStart: Int
    /// Trends of the vitals asked for, over the target rows.
    private(set) var trends: [VitalTrend?]
    private let minutes: MinuteMeans
    private let baselineWindow: BaselineWindow
    private let artefacts: ArtefactFilter
    private let rules: ClinicalRules
    private var baselines: [Int64: [BaselineWindow.Baseline]] = [:]
    /// A change of the case's limits whose new rules do not judge the context rows scored before it.
    var limitChange: LimitChange?

    /// Rows `rows` of `series`, with context rows before them back to
    /// `contextSeconds` (cleaned from the raw samples before them too).
    init(_ series: SampleBatch, rows: Range<Int>, contextSeconds: Double, minutes: MinuteMeans, vitals: Set<Vital>,
         rules: ClinicalRules, artefacts: ArtefactFilter, hold: VitalHold, trends windows: TrendWindows, baseline: BaselineWindow) {
        let firstTime = rows.isEmpty ? 0 : series.timestamps[rows.lowerBound]
        let contextStart = SortedTimes.firstIndex(series.timestamps, atOrAfter: firstTime - Timestamp.micros(seconds: contextSeconds),
                                                  in: 0..<rows.lowerBound)
        self.contextStart = contextStart
        clean = artefacts.clean(series, rows: contextStart..<rows.upperBound)
        pressuresKeptAlone = artefacts.pressuresKeptAlone(series, from: contextStart, clean: clean)
        loneReadings = LoneReading.flags(series: series, contextStart: contextStart, clean: clean, cuff: artefacts.profoundHypotension)
        held = hold.held(clean, rows: 0..<clean.count,
                         ends: artefacts.holdEnds(series, from: contextStart, clean: clean, keptAlone: pressuresKeptAlone))
        self.rows = (rows.lowerBound - contextStart)..<clean.count
        trends = Array(repeating: nil, count: Vital.count)
        for vital in vitals {
            trends[vital.rawValue] = VitalTrend(clean, vital: vital, rows: self.rows, windows: windows,
                                                excluding: rules.rules.filter { $0.vital == vital })
        }
        self.minutes = minutes
        self.baselineWindow = baseline
        self.artefacts = artefacts
        self.rules = rules
    }

    var times: [Int64] { clean.timestamps }

    func held(_ vital: Vital, row: Int) -> Float { held[row * Vital.count + vital.rawValue] }

    /// Whether any rule is true at each row of `clean` (context included).
    func ruleTrue(_ rules: ClinicalRules) -> [Bool] {
        (0..<clean.count).map { row in rules.rules.contains { $0.isTrue(held($0.vital, row: row)) && judges($0, row: row) } }
    }

    /// Whether `rule` is true at each row of `clean` (context included).
    func ruleTrue(_ rule: ClinicalRule) -> [Bool] {
        (0..<clean.count).map { rule.isTrue(held(rule.vital, row: $0)) && judges(rule, row: $0) }
    }

    /// Whether `rule` judges `row`: always, but for a rule a limit change
    /// brought in at a context row scored before the change (`LimitChange`).
    @inline(__always)
    func judges(_ rule: ClinicalRule, row: Int) -> Bool {
        guard let change = limitChange else { return true }
        return rows.contains(row) || clean.timestamps[row] > change.scoredThrough || !change.rules.contains(rule.id)
    }

    /// Rows of `clean` whose breach of `rules` is confirmed as it comes, with
    /// no time to hold: a held value outside its plausible range, one the
    /// artefact filter kept only because it lasted (rules 5, 6 and 8), or a
    /// pressure past a limit on a cuff's lone reading (`LoneReading`).
    func confirmedBreaches(_ rules: ClinicalRules) -> [Bool] {
        let lasted = LastedExtreme(self)
        let pressureRules = rules.rules.filter { LoneReading.pressures.contains($0.vital) }
        return (0..<clean.count).map { row in
            (0..<Vital.count).contains { lasted.at(row: row, vital: $0) }
                || loneReadings[row] && pressureRules.contains { $0.isTrue(held($0.vital, row: row)) && judges($0, row: row) }
        }
    }

    /// `confirmedBreaches` of each of `vitals` alone, at the rows where a rule of it is true.
    func confirmedBreaches(each vitals: Set<Vital>) -> [Vital: [Bool]] {
        let lasted = LastedExtreme(self)
        return Dictionary(uniqueKeysWithValues: vitals.map { vital in
            let lone = LoneReading.pressures.contains(vital)
            return (vital, (0..<clean.count).map { lasted.at(row: $0, vital: vital.rawValue) || lone && loneReadings[$0] })
        })
    }

    /// What the lasted-extreme test reads, gathered once per call.
    private struct LastedExtreme {
        let held: [Float]
        let lowest: [Float], highest: [Float]
        let heldKeptAlone: [Bool]
        static let pressures: Set<Int> = [Vital.sbp.rawValue, Vital.dbp.rawValue, Vital.mbp.rawValue]

        init(_ features: CaseFeatures) {
            let artefacts = features.artefacts
            held = features.held
            lowest = Vital.allCases.map { artefacts.range(of: $0).lowerBound }
            highest = Vital.allCases.map { artefacts.sustainedExtreme.above.contains($0) ? artefacts.range(of: $0).upperBound : .infinity }
            heldKeptAlone = ArtefactFilter.latestPressureKeptAlone(features.clean, keptAlone: features.pressuresKeptAlone)
        }

        func at(row: Int, vital: Int) -> Bool {
            let value = held[row * Vital.count + vital]
            guard value < lowest[vital] || value > highest[vital] else { return false }
            return !(Self.pressures.contains(vital) && heldKeptAlone[row])
        }
    }

    func fired(_ rules: ClinicalRules, row: Int) -> [String] {
        rules.rules.compactMap { $0.isTrue(held($0.vital, row: row)) && judges($0, row: row) ? $0.id : nil }
    }

    /// Mean of the available slopes of `vital` at target offset `offset` (NaN: none).
    func drift(_ vital: Vital, offset: Int) -> Float {
        guard let trend = trends[vital.rawValue] else { return .nan }
        var sum: Float = 0, count: Float = 0
        for window in trend.slopes where !window[offset].isNaN { sum += window[offset]; count += 1 }
        return count > 0 ? sum / count : .nan
    }

    /// The baseline of `vital` at target offset `offset`.
    mutating func baseline(_ vital: Vital, offset: Int) -> BaselineWindow.Baseline {
        let minute = MinuteMeans.minute(of: clean.timestamps[rows.lowerBound + offset])
        if let known = baselines[minute] { return known[vital.rawValue] }
        let computed = baselineWindow.baselines(at: minute, in: minutes, artefacts: artefacts, rules: rules)
        baselines[minute] = computed
        return computed[vital.rawValue]
    }

    /// How far `vital` moves per √minute at target offset `offset`: the larger
    /// of its minute-to-minute wander and its 5-minute standard deviation (NaN: neither known).
    mutating func spread(_ vital: Vital, offset: Int) -> Float {
        let wander = baseline(vital, offset: offset).wander
        let recent = trends[vital.rawValue]?.spread[offset] ?? .nan
        if wander.isNaN { return recent }
        return recent.isNaN ? wander : max(wander, recent)
    }

    /// The novelty features of `vital` at target offset `offset`, or nil when the vital has no held value there.
    mutating func noveltyFeatures(_ vital: Vital, offset: Int) -> (deviation: Float, slope1: Float, slope5: Float, spread: Float)? {
        let row = rows.lowerBound + offset
        let value = held(vital, row: row)
        guard !value.isNaN, let trend = trends[vital.rawValue] else { return nil }
        let level = baseline(vital, offset: offset).level
        return (value - level, trend.slopes.first![offset], trend.slopes.last![offset], trend.spread[offset])
    }
}

extension AnomalyModel {
    /// The features of rows `rows` of `series` as this model reads them.
    func features(_ series: SampleBatch, rows: Range<Int>, minutes: MinuteMeans) -> CaseFeatures {
        CaseFeatures(series, rows: rows, contextSeconds: contextSeconds, minutes: minutes,
                     vitals: Set(rules.rules.map(\.vital)).union(novelty.map(\.vital)), rules: rules,
                     artefacts: artefacts, hold: hold, trends: trends, baseline: baseline)
    }
}
