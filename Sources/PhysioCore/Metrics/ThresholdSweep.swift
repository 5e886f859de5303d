/// Cumulative true and false positives at each distinct score, from the
/// highest down: the common ground of ROC and precision–recall curves.
/// Tied scores form one step, as in scikit-learn's `_binary_clf_curve`.
struct ThresholdSweep {
    struct Step {
        let threshold: Double
        let truePositives: Int
        let falsePositives: Int
    }

    let steps: [Step]
    let positives: Int
    let negatives: Int

    init(scores: [Double], labels: [Bool]) {
        precondition(scores.count == labels.count, "scores and labels differ in length")
        precondition(!scores.contains { $0.isNaN }, "scores contain NaN")
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var steps: [Step] = []
        var tp = 0, fp = 0
        for (position, index) in order.enumerated() {
            if labels[index] { tp += 1 } else { fp += 1 }
            let isLastOfTie = position + 1 == order.count || scores[order[position + 1]] != scores[index]
            if isLastOfTie { steps.append(Step(threshold: scores[index], truePositives: tp, falsePositives: fp)) }
        }
        self.steps = steps
        positives = tp
        negatives = fp
    }
}
