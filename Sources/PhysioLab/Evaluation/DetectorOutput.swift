/// What a detector says about each evaluated row of a case: a score
/// (higher = more abnormal; the ranking metrics use it) and whether it
/// alarmed. Alarms are data, not `score > threshold` recomputed here: a
/// detector's alarm policy may add persistence, hold or a rule floor.
public struct DetectorOutput: Sendable {
    public let scores: [Double]
    public let alarms: [Bool]

    public init(scores: [Double], alarms: [Bool]) {
        precondition(scores.count == alarms.count, "one alarm flag per score")
        self.scores = scores
        self.alarms = alarms
    }

    /// A plain thresholded score: an alarm wherever score > threshold.
    public init(scores: [Double], threshold: Double) {
        self.init(scores: scores, alarms: scores.map { $0 > threshold })
    }
}
