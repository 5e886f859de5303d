/// Curve points for plots, from the highest threshold down.
public enum Curves {
    public struct ROCPoint: Sendable, Equatable, Codable {
        public let falsePositiveRate: Double
        public let truePositiveRate: Double
        /// Score ≥ threshold counts as positive; +∞ for the (0, 0) start.
        public let threshold: Double
    }

    public struct PRPoint: Sendable, Equatable, Codable {
        public let recall: Double
        public let precision: Double
        public let threshold: Double
    }

    /// (0, 0) then one point per distinct score, as `roc_curve(drop_intermediate=False)`.
    /// Empty when only one class is present.
    public static func roc(scores: [Double], labels: [Bool]) -> [ROCPoint] {
        let sweep = ThresholdSweep(scores: scores, labels: labels)
        guard sweep.positives > 0, sweep.negatives > 0 else { return [] }
        return [ROCPoint(falsePositiveRate: 0, truePositiveRate: 0, threshold: .infinity)] + sweep.steps.map {
            ROCPoint(falsePositiveRate: Double($0.falsePositives) / Double(sweep.negatives),
                     truePositiveRate: Double($0.truePositives) / Double(sweep.positives), threshold: $0.threshold)
        }
    }

    /// (recall 0, precision 1) then one point per distinct score. Empty without positives.
    public static func precisionRecall(scores: [Double], labels: [Bool]) -> [PRPoint] {
        let sweep = ThresholdSweep(scores: scores, labels: labels)
        guard sweep.positives > 0 else { return [] }
        return [PRPoint(recall: 0, precision: 1, threshold: .infinity)] + sweep.steps.map {
            PRPoint(recall: Double($0.truePositives) / Double(sweep.positives),
                    precision: Double($0.truePositives) / Double($0.truePositives + $0.falsePositives),
                    threshold: $0.threshold)
        }
    }

    /// At most `maximum` points, evenly spread over the curve (ends kept): an SVG needs no 100,000 vertices.
    public static func thinned<Point>(_ points: [Point], maximum: Int) -> [Point] {
        guard points.count > maximum, maximum >= 2 else { return points }
        let stride = Double(points.count - 1) / Double(maximum - 1)
        return (0..<maximum).map { points[Int((Double($0) * stride).rounded())] }
    }
}
