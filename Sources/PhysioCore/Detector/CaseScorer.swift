#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one function that turns a case's samples into scores, alarms and
/// explanations: the workers call it per job, `physio evaluate` and
/// `physio train` per case. Causal: a row's score reads only samples at or
/// before it. The safety floor alone looks back: a breach found sustained
/// alarms from its first row (`CaseScoring.backdated` for rows scored earlier).
public struct CaseScorer: Sendable {
    public let model: AnomalyModel
    /// The case's last change of limits, while context rows scored before it may be read.
    public let limitChange: LimitChange?

    public init(model: AnomalyModel, limitChange: LimitChange? = nil) {
        self.model = model
        self.limitChange = limitChange
    }

    /// Scores rows `rows` of one case's samples (sorted by time; earlier rows
    /// are context, at least `model.lookbackSeconds` of them for exact results).
    /// `minutes`: the case's minute means (for the baseline); `earlier`: stored
    /// scores of rows before `rows` (time, score), ascending, for the alarm policy.
    public func score(_ series: SampleBatch, rows: Range<Int>, minutes: MinuteMeans,
                      earlier: [(time: Int64, score: Double)] = []) -> CaseScoring {
        guard !rows.isEmpty else { return CaseScoring(samples: [], backdated: []) }
        var features = model.features(series, rows: rows, minutes: minutes)
        features.limitChange = limitChange
        let target = features.rows, times = features.times
        let ruleTrue = features.ruleTrue(model.rules)
        // Rows join by the record's pace, read from every row the caller gave, not only the context's.
        let pace = AlarmPolicy.Pace(all: series.timestamps, offset: features.contextStart)
        let floorRaised = model.policy.floorRaisedTimes(times: times, ruleTrue: ruleTrue, confirmed: features.confirmedBreaches(model.rules), pace: pace)
        let ruleRaised = ruleRaisedTimes(features, ruleTrue: ruleTrue, pace: pace)
        let parts = ScoreParts(model: model, features: &features)

        // Model alarms over the earlier stored scores and the new ones.
        let earlier = earlier.filter { $0.time < times[target.lowerBound] }
        let alarms = model.policy.modelAlarms(times: earlier.map(\.time) + Array(times[target]),
                                              scores: earlier.map(\.score) + parts.scores)

        var samples: [ScoredSample] = []
        samples.reserveCapacity(target.count)
        for (offset, row) in target.enumerated() {
            let modelAlarm = alarms[earlier.count + offset]
            let source = AlarmSource(model: modelAlarm, rule: floorRaised[row] != nil)
            let rules = ruleTrue[row] ? features.fired(model.rules, row: row) : []
            // A row only the floor alarms is explained by its breached rules, as a
            // row the floor raises after an earlier job scored it (below): a case
            // scored live in jobs names the same drivers as scored whole.
            let drivers: [VitalWeight] = switch source {
            case nil: []
            case .rule?: Self.ruleDrivers(rules, in: model.rules)
            case .model?, .both?: parts.drivers(offset)
            }
            samples.append(ScoredSample(timestamp: times[row], score: parts.scores[offset], source: source,
                                        rules: rules, drivers: drivers,
                                        rowBefore: source == nil ? nil : pace.rowBefore(row),
                                        raisedAt: source == nil ? nil : Self.raisedAt(times[row], model: modelAlarm, floor: floorRaised[row]),
                                        ruleMarks: source == nil ? [] : ruleRaised.marks(row)))
        }

        // Context rows the floor alarms now, scored by an earlier call: their
        // stored score stands, and their drivers are the breached rules' vitals.
        var backdated: [ScoredSample] = []
        let earlierIndex = Dictionary(earlier.enumerated().map { ($0.element.time, $0.offset) }, uniquingKeysWith: { first, _ in first })
        for row in 0..<target.lowerBound where floorRaised[row] != nil {
            let rules = features.fired(model.rules, row: row)
            let index = earlierIndex[times[row]]
            let modelAlarm = index.map { alarms[$0] } == true
            backdated.append(ScoredSample(timestamp: times[row], score: index.map { earlier[$0].score } ?? 1,
                                          source: modelAlarm ? .both : .rule,
                                          rules: rules, drivers: Self.ruleDrivers(rules, in: model.rules),
                                          rowBefore: pace.rowBefore(row),
                                          raisedAt: Self.raisedAt(times[row], model: modelAlarm, floor: floorRaised[row]),
                                          ruleMarks: ruleRaised.marks(row)))
        }
        return CaseScoring(samples: samples, backdated: backdated)
    }

    /// Scores every row of a whole case (the offline path).
    public func scoreCase(_ series: SampleBatch) -> [ScoredSample] {
        score(series, rows: 0..<series.count, minutes: MinuteMeans(series)).samples
    }

    /// Each rule's own raise times (`AlarmPolicy.ruleRaisedTimes`), for the
    /// rules and escalations true at some row: an episode's second vital, or
    /// its first one deepening, gets an alarm of its own.
    private func ruleRaisedTimes(_ features: CaseFeatures, ruleTrue: [Bool], pace: AlarmPolicy.Pace) -> RuleRaisedTimes {
        guard ruleTrue.contains(true) else { return RuleRaisedTimes(rules: []) }
        let truths = (model.rules.rules + model.policy.escalations).map { ($0, features.ruleTrue($0)) }.filter { $0.1.contains(true) }
        let confirmed = features.confirmedBreaches(each: Set(truths.map(\.0.vital)))
        return RuleRaisedTimes(rules: truths.map { rule, truth in
            .init(id: rule.id, truth: truth,
                  raised: model.policy.ruleRaisedTimes(times: features.times, ruleTrue: truth, confirmed: confirmed[rule.vital], pace: pace))
        })
    }

    /// When an alarming row's alarm was raised: at the row when the score
    /// alarmed it, else when the floor could raise its breach (never before the row).
    static func raisedAt(_ time: Int64, model: Bool, floor: Int64?) -> Int64 {
        model ? time : max(time, floor ?? time)
    }

    /// Equal shares among the vitals of the rules that fired.
    static func ruleDrivers(_ ids: [String], in rules: ClinicalRules) -> [VitalWeight] {
        let vitals = Set(rules.rules.filter { ids.contains($0.id) }.map(\.vital)).sorted { $0.rawValue < $1.rawValue }
        return vitals.map { VitalWeight(vital: $0, weight: 1 / Double(vitals.count)) }
    }
}

/// Per rule true somewhere in the rows, where it is true and when its alarm was raised at each row.
private struct RuleRaisedTimes {
    struct Rule {
        let id: String
        let truth: [Bool]
        let raised: [Int64?]
    }

    let rules: [Rule]

    /// The rules true at `row`, with their raise times.
    func marks(_ row: Int) -> [RuleMark] {
        rules.compactMap { $0.truth[row] ? RuleMark(rule: $0.id, raisedAt: $0.raised[row]) : nil }
    }
}

/// Scores of the target rows, with the evidence behind them per vital for explanations.
private struct ScoreParts {
    var scores: [Double]
    /// Per row, per vital: −ln(1 − p) of its rules' random-walk breach risks plus −ln(1 − w·n) of its novelty.
    var evidence: [Double]

    init(model: AnomalyModel, features: inout CaseFeatures) {
        let rows = features.rows, count = rows.count
        evidence = [Double](repeating: 0, count: count * Vital.count)
        // ln P(no breach): summed as logarithms so that risks far below 1e-16
        // still rank the samples (1 − Π(1 − p) rounds them all to 0).
        var logSurvival = [Double](repeating: 0, count: count)
        for rule in model.rules.rules {
            guard features.trends[rule.vital.rawValue] != nil else { continue }
            for offset in 0..<count {
                let value = features.held(rule.vital, row: rows.lowerBound + offset)
                guard !value.isNaN else { continue }
                let p = model.risk.parts(rule, value: value, slopePerMinute: features.drift(rule.vital, offset: offset),
                                         spread: features.spread(rule.vital, offset: offset))
                logSurvival[offset] += log1p(-p.walk) + log1p(-p.event)
                // Drivers name what moved: the event term reads distance alone and is at most `events.chance`.
                guard p.walk > 0 else { continue }
                evidence[offset * Vital.count + rule.vital.rawValue] += -log1p(-min(p.walk, 1 - 1e-6))
            }
        }
        var calm = [Double](repeating: 1, count: count)   // 1 − w·N
        for forest in model.novelty {
            var values: [Float] = [], offsets: [Int] = []
            for offset in 0..<count {
                guard let f = features.noveltyFeatures(forest.vital, offset: offset) else { continue }
                values += forest.features(deviation: f.deviation, slope1: f.slope1, slope5: f.slope5, spread: f.spread)
                offsets.append(offset)
            }
            guard !offsets.isEmpty else { continue }
            let scores = forest.scores(values)
            for (offset, score) in zip(offsets, scores) {
                let term = model.noveltyWeight * forest.novelty(score: score)
                guard term > 0 else { continue }
                calm[offset] = min(calm[offset], 1 - term)
                evidence[offset * Vital.count + forest.vital.rawValue] += -log(max(1 - term, 1e-6))
            }
        }
        // 0 − expm1: where nothing is at risk, −expm1(0) is −0, which exports and JSON print as "-0".
        scores = (0..<count).map { 0 - expm1(logSurvival[$0] + log(calm[$0])) }
    }

    /// Shares of the evidence at target offset `offset`, to 4 decimals, largest first; vitals whose share rounds to 0 left out.
    func drivers(_ offset: Int) -> [VitalWeight] {
        let base = offset * Vital.count
        let total = (0..<Vital.count).reduce(0) { $0 + evidence[base + $1] }
        guard total > 0 else { return [] }
        return Vital.allCases
            .map { VitalWeight(vital: $0, weight: ((evidence[base + $0.rawValue] / total) * 10_000).rounded() / 10_000) }
            .filter { $0.weight > 0 }
            .sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.vital.rawValue < $1.vital.rawValue }
    }
}
