import PhysioCore

/// One case ready for evaluation: every row's time and whether a clinical
/// rule was true there, and a detector's scores and alarms on the evaluated
/// rows. Rows before `evaluated` are context only: they show whether a
/// breach was already under way when the evaluated stretch begins.
public struct CaseScores: Sendable {
    public let caseID: String
    /// Microseconds, ascending.
    public let timestamps: [Int64]
    /// Any rule true at the row, on artefact-cleaned values: the seed protocol's label.
    public let ruleTrue: [Bool]
    public let evaluated: Range<Int>
    /// `scores[i]` belongs to row `evaluated.lowerBound + i`; higher = more abnormal.
    public let scores: [Double]
    /// `alarms[i]`: the detector alarmed at row `evaluated.lowerBound + i`.
    public let alarms: [Bool]
    /// The detector's score on the hypotension task (`DetectorOutput.hypotensionScores`, else `scores`).
    public let hypotensionScores: [Double]
    /// The baselines and the case's feed; nil when the case was built from labels alone.
    public let reference: CaseReference?

    public init(caseID: String, timestamps: [Int64], ruleTrue: [Bool], evaluated: Range<Int>, detector: DetectorOutput,
                reference: CaseReference? = nil) {
        precondition(timestamps.count == ruleTrue.count, "one rule flag per row")
        precondition(evaluated.lowerBound >= 0 && evaluated.upperBound <= timestamps.count, "evaluated rows out of range")
        precondition(detector.scores.count == evaluated.count, "one score per evaluated row")
        self.caseID = caseID
        self.timestamps = timestamps
        self.ruleTrue = ruleTrue
        self.evaluated = evaluated
        scores = detector.scores
        alarms = detector.alarms
        hypotensionScores = detector.hypotensionScores ?? detector.scores
        if let reference {
            precondition(reference.hypotensionTrue.count == timestamps.count, "one hypotension flag per row")
            precondition(reference.baselines.values.allSatisfy { $0.count == evaluated.count }, "one baseline score per evaluated row")
        }
        self.reference = reference
    }

    /// A case whose detector alarms where score > threshold.
    public init(caseID: String, timestamps: [Int64], ruleTrue: [Bool], evaluated: Range<Int>, scores: [Double], threshold: Double) {
        self.init(caseID: caseID, timestamps: timestamps, ruleTrue: ruleTrue, evaluated: evaluated,
                  detector: DetectorOutput(scores: scores, threshold: threshold))
    }

    public func score(row: Int) -> Double { scores[row - evaluated.lowerBound] }
    public func alarm(row: Int) -> Bool { alarms[row - evaluated.lowerBound] }

    /// Hours between the first and the last evaluated sample.
    public var evaluatedHours: Double {
        guard evaluated.count > 1 else { return 0 }
        return Double(timestamps[evaluated.upperBound - 1] - timestamps[evaluated.lowerBound]) / 3.6e9
    }
}
