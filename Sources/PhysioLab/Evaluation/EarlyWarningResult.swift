import PhysioCore

/// Early warning over all cases where it can be computed.
public struct EarlyWarningResult: Sendable {
    /// What a positive is: threshold-defined breaches, or the breaches of labelled events.
    public let label: String
    /// Cases sampled densely enough, and the others (median spacing above the limit).
    public let applicableCases: Int
    public let excludedCases: Int
    /// nil when no case is applicable.
    public let metrics: TaskMetrics?
    /// Onsets with a whole horizon evaluated before them, and the lead of each warned one (seconds).
    public let onsets: Int
    public let leads: [Double]
    /// One case's lead per counted onset in time order, nil where not warned
    /// (empty for a whole evaluation): policies compare onset by onset.
    public var onsetLeads: [Double?] = []

    public var warned: Int { leads.count }
    public var warnedShare: Double? { onsets > 0 ? Double(warned) / Double(onsets) : nil }
    public var medianLeadSeconds: Double? { Median.of(leads) }
    public var isApplicable: Bool { applicableCases > 0 }
}

/// Accumulates early-warning rows and leads case by case.
struct EarlyWarningAccumulator {
    let label: String
    var samples = ScoredSamples()
    var applicable = 0, excluded = 0, onsets = 0
    var leads: [Double] = []

    /// Adds one case; returns its own result (nil when the case is too sparse).
    mutating func add(_ scores: CaseScores, inAlarm: [Bool], onsets caseOnsets: [Int64], ignored: [Int64] = [],
                      isDense: Bool, horizon: Int64) -> EarlyWarningResult? {
        guard isDense else { excluded += 1; return nil }
        applicable += 1
        let rows = EarlyWarningRows(timestamps: scores.timestamps, evaluated: scores.evaluated, inAlarm: inAlarm,
                                    onsets: caseOnsets, ignored: ignored, horizon: horizon)
        var caseSamples = ScoredSamples()
        for (row, label) in zip(rows.rows, rows.labels) {
            caseSamples.append(score: scores.score(row: row), label: label, alarm: scores.alarm(row: row))
        }
        let caseLeads = LeadTime.leads(scores, inAlarm: inAlarm, onsets: caseOnsets, horizon: horizon)
        samples.append(contentsOf: caseSamples)
        onsets += caseLeads.count
        leads += caseLeads.compactMap { $0 }
        var caseResult = EarlyWarningResult(label: label, applicableCases: 1, excludedCases: 0, metrics: TaskMetrics(caseSamples),
                                            onsets: caseLeads.count, leads: caseLeads.compactMap { $0 })
        caseResult.onsetLeads = caseLeads
        return caseResult
    }

    var result: EarlyWarningResult {
        EarlyWarningResult(label: label, applicableCases: applicable, excludedCases: excluded,
                           metrics: applicable > 0 ? TaskMetrics(samples) : nil, onsets: onsets, leads: leads)
    }
}
