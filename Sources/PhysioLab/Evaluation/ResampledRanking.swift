/// One task's pooled samples sorted once by score, so the AUROC and AUPRC
/// of any resample of cases take one pass with case weights instead of a
/// sort. With weights k per case the result equals `RankingMetrics` on the
/// pool where each of the case's samples appears k times (ties as there).
struct ResampledRanking {
    /// Per sample in descending score order: case index × 2 + label.
    private let codes: [Int32]
    /// End (exclusive) of each run of tied scores in that order.
    private let tieEnds: [Int]
    let caseCount: Int

    init(scores: [Double], labels: [Bool], cases: [Int32], caseCount: Int) {
        precondition(scores.count == labels.count && scores.count == cases.count, "one label and case per score")
        precondition(!scores.contains { $0.isNaN }, "scores contain NaN")
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        codes = order.map { cases[$0] * 2 + (labels[$0] ? 1 : 0) }
        var ends: [Int] = []
        for (position, index) in order.enumerated()
        where position + 1 == order.count || scores[order[position + 1]] != scores[index] {
            ends.append(position + 1)
        }
        tieEnds = ends
        self.caseCount = caseCount
    }

    /// AUROC (nil without both classes) and average precision (nil without
    /// positives) of the pool weighted by `weights` (one per case).
    func metrics(weights: [Int32]) -> (rocAUC: Double?, averagePrecision: Double?) {
        precondition(weights.count == caseCount, "one weight per case")
        var tp = 0, fp = 0, previousTP = 0, previousFP = 0
        var area = 0.0, precisionSum = 0.0
        var start = 0
        codes.withUnsafeBufferPointer { codes in
            weights.withUnsafeBufferPointer { weights in
                for end in tieEnds {
                    for position in start..<end {
                        let code = codes[position]
                        let weight = Int(weights[Int(code >> 1)])
                        if code & 1 == 1 { tp += weight } else { fp += weight }
                    }
                    start = end
                    guard tp != previousTP || fp != previousFP else { continue }
                    area += Double(fp - previousFP) * Double(tp + previousTP) / 2
                    precisionSum += Double(tp - previousTP) * (Double(tp) / Double(tp + fp))
                    previousTP = tp
                    previousFP = fp
                }
            }
        }
        let auc = tp > 0 && fp > 0 ? area / (Double(tp) * Double(fp)) : nil
        let ap = tp > 0 ? precisionSum / Double(tp) : nil
        return (auc, ap)
    }

    /// Every case once.
    var unweighted: (rocAUC: Double?, averagePrecision: Double?) {
        metrics(weights: [Int32](repeating: 1, count: caseCount))
    }
}
