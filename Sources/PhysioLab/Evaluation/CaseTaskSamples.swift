/// One case's samples of one task: their labels and, per scorer (in the
/// comparison's order), their scores.
struct CaseTaskSamples {
    var labels: [Bool] = []
    var scores: [[Double]]

    init(scorers: Int) { scores = Array(repeating: [], count: scorers) }

    var isEmpty: Bool { labels.isEmpty }
}
