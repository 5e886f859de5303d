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
    /// The lead (seconds) of each onset with a whole horizon evaluated
    /// before it, case by case in time order; nil where not warned. Two
    /// policies compare onset by onset on it.
    public let onsetLeads: [Double?]

    public var onsets: Int { onsetLeads.count }
    public var leads: [Double] { onsetLeads.compactMap { $0 } }
    public var warned: Int { leads.count }
    public var warnedShare: Double? { onsets > 0 ? Double(warned) / Double(onsets) : nil }
    public var medianLeadSeconds: Double? { Median.of(leads) }
    public var isApplicable: Bool { applicableCases > 0 }
}

/// Accumulates early-warning rows and leads case by case.
struct EarlyWarningAccumulator {
    let label: String
    var samples = ScoredSamples()
    var applicable = 0, excluded = 0
    var onsetLeads: [Double?] = []

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
        onsetLeads += caseLeads
        return EarlyWarningResult(label: label, applicableCases: 1, excludedCases: 0, metrics: TaskMetrics(caseSamples),
                                  onsetLeads: caseLeads)
    }

    var result: EarlyWarningResult {
        EarlyWarningResult(label: label, applicableCases: applicable, excludedCases: excluded,
                           metrics: applicable > 0 ? TaskMetrics(samples) : nil, onsetLeads: onsetLeads)
    }
}
