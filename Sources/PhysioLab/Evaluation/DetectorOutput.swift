/// What a detector says about each evaluated row of a case: a score
/// (higher = more abnormal; the ranking metrics use it) and whether it
/// alarmed. Alarms are data, not `score > threshold` recomputed here: a
/// detector's alarm policy may add persistence, hold or a rule floor.
public struct DetectorOutput: Sendable {
    public let scores: [Double]
    public let alarms: [Bool]
    /// The detector's own score for the hypotension task, when it has one
    /// (physio's: its breach risk of the hypotension rules alone); nil: `scores`.
    public let hypotensionScores: [Double]?

    public init(scores: [Double], alarms: [Bool], hypotensionScores: [Double]? = nil) {
        precondition(scores.count == alarms.count, "one alarm flag per score")
        precondition(hypotensionScores.map { $0.count == scores.count } ?? true, "one hypotension score per score")
        self.scores = scores
        self.alarms = alarms
        self.hypotensionScores = hypotensionScores
    }

    /// A plain thresholded score: an alarm wherever score > threshold.
    public init(scores: [Double], threshold: Double, hypotensionScores: [Double]? = nil) {
        self.init(scores: scores, alarms: scores.map { $0 > threshold }, hypotensionScores: hypotensionScores)
    }
}
