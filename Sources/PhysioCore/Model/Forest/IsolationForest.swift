#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An Isolation Forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008),
/// built as scikit-learn's `IsolationForest`: each tree is an ExtraTree grown
/// on `min(maxSamples, n)` rows drawn without replacement, to depth
/// ceil(log2(ψ)); a split takes a random feature among those not constant in
/// the node and a threshold uniform between the node's min and max
/// (`x <= threshold` goes left); a leaf holding n samples adds c(n) to its depth.
///
/// **Score convention (used everywhere in physio):** the anomaly score
/// s(x) = 2^(−E[h(x)] / c(ψ)) in (0, 1], higher = more abnormal, where h(x)
/// is the path length and ψ the samples per tree. It equals −(scikit-learn's
/// `score_samples`); scikit-learn's `contamination="auto"` offset corresponds
/// to s = 0.5.
///
/// Storage is flat: every node of every tree is one 16-byte `Node` in one
/// array, children adjacent. A leaf points to itself with an infinite
/// threshold, so scoring walks every tree a fixed number of steps without a
/// branch and interleaves a block of samples to hide memory latency.
public struct IsolationForest: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        /// `x[feature] <= threshold` goes to `left`, otherwise `left + 1`. +∞ in a leaf.
        var threshold: Float
        var feature: Int32
        /// First child; a leaf's own index.
        var left: Int32
        /// Leaf only: depth + c(samples in the leaf).
        var pathLength: Float
    }

    public let parameters: IsolationForestParameters
    public let featureCount: Int
    /// ψ: rows each tree was grown on.
    public let samplesPerTree: Int
    var nodes: [Node]
    /// Training rows that reached each node (for attribution).
    var nodeSamples: [Int32]
    var roots: [Int32]
    /// Deepest leaf of each tree: the number of steps a walk needs.
    var depths: [Int32]

    public var treeCount: Int { roots.count }
    public var nodeCount: Int { nodes.count }

    /// Depth limit for ψ samples, as scikit-learn: ceil(log2(max(ψ, 2))).
    public static func maxDepth(samplesPerTree: Int) -> Int {
        var depth = 0
        while (1 << depth) < max(samplesPerTree, 2) { depth += 1 }
        return depth
    }

    /// c(ψ), the normaliser of path lengths.
    public var normaliser: Double { AveragePathLength.c(samplesPerTree) }

    func isLeaf(_ index: Int) -> Bool { Int(nodes[index].left) == index }

    // MARK: Scoring

    /// Anomaly scores s(x) of every row (see the type's score convention).
    public func scoreSamples(_ data: FeatureMatrix) -> [Double] {
        precondition(data.columns == featureCount, "forest expects \(featureCount) features, got \(data.columns)")
        var scores = [Double](repeating: 0, count: data.rows)
        data.values.withUnsafeBufferPointer { rows in
            scores.withUnsafeMutableBufferPointer { out in
                scoreSamples(rows: rows.baseAddress!, count: data.rows, into: out.baseAddress!)
            }
        }
        return scores
    }

    /// Anomaly score of one row of `featureCount` values.
    public func score(_ row: [Float]) -> Double {
        precondition(row.count == featureCount)
        var result = 0.0
        row.withUnsafeBufferPointer { scoreSamples(rows: $0.baseAddress!, count: 1, into: &result) }
        return result
    }

    /// s(x) − threshold: positive = anomalous, as scikit-learn's
    /// `decision_function` with the sign flipped to this type's convention.
    public func decisionFunction(_ data: FeatureMatrix, threshold: Double) -> [Double] {
        scoreSamples(data).map { $0 - threshold }
    }

    /// Mean path length E[h(x)] of each row (the quantity the score normalises).
    public func meanPathLengths(_ data: FeatureMatrix) -> [Double] {
        let c = normaliser
        return scoreSamples(data).map { -log2($0) * c }
    }

    /// Per tree from `t` to the last, the sum of each tree's shortest path
    /// (its shallowest leaf): the least the trees not yet walked can add.
    /// One more entry than trees, the last 0.
    public func shortestRemainingPaths() -> [Double] {
        var shortest = [Double](repeating: .infinity, count: treeCount)
        for tree in 0..<treeCount {
            let end = tree + 1 < treeCount ? Int(roots[tree + 1]) : nodes.count
            for index in Int(roots[tree])..<end where isLeaf(index) {
                shortest[tree] = min(shortest[tree], Double(nodes[index].pathLength))
            }
        }
        var remaining = [Double](repeating: 0, count: treeCount + 1)
        for tree in stride(from: treeCount - 1, through: 0, by: -1) { remaining[tree] = remaining[tree + 1] + shortest[tree] }
        return remaining
    }

    /// Scores of rows that only matter above `ceiling` (a calibrated tail):
    /// a block of rows stops walking trees once even the shortest paths left
    /// cannot lift any of its rows above `ceiling`, and reports for each a
    /// score that is at least its own and at most `ceiling`. Rows that can
    /// exceed it get their exact score. `remaining` is `shortestRemainingPaths()`.
    public func scoreSamples(rows: UnsafePointer<Float>, count: Int, into scores: UnsafeMutablePointer<Double>,
                             ceiling: Double, remaining: [Double]) {
        precondition(remaining.count == treeCount + 1)
        guard ceiling > 0, ceiling < 1, normaliser > 0 else { return scoreSamples(rows: rows, count: count, into: scores) }
        // score ≤ ceiling ⇔ Σ path ≥ log2(ceiling) / scale; a margin keeps rounding on the safe side.
        let pathSum = log2(ceiling) * -(Double(treeCount) * normaliser) + 1e-6
        scoreSamples(rows: rows, count: count, into: scores, exit: (pathSum, remaining))
    }

    /// The hot loop: `count` row-major rows in, scores out. No allocation
    /// beyond one small stack buffer per call.
    public func scoreSamples(rows: UnsafePointer<Float>, count: Int, into scores: UnsafeMutablePointer<Double>) {
        scoreSamples(rows: rows, count: count, into: scores, exit: nil)
    }

    private func scoreSamples(rows: UnsafePointer<Float>, count: Int, into scores: UnsafeMutablePointer<Double>,
                              exit: (pathSum: Double, remaining: [Double])?) {
        let block = 256
        let columns = featureCount
        guard normaliser > 0 else {
            // ψ = 1: nothing to isolate; scikit-learn defines the score as 2^−1.
            for i in 0..<count { scores[i] = 0.5 }
            return
        }
        let scale = -1 / (Double(treeCount) * normaliser)
        nodes.withUnsafeBufferPointer { nodeBuffer in
            let nodes = nodeBuffer.baseAddress!
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: block) { current in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: block) { sums in
                    var start = 0
                    while start < count {
                        let size = min(block, count - start)
                        let blockRows = rows + start * columns
                        for j in 0..<size { sums[j] = 0 }
                        for tree in 0..<roots.count {
                            // Every 8 trees: stop if no row of the block can still pass the ceiling.
                            if let exit, tree > 0, tree % 8 == 0,
                               (0..<size).allSatisfy({ sums[$0] + exit.remaining[tree] > exit.pathSum }) {
                                for j in 0..<size { sums[j] += exit.remaining[tree] }
                                break
                            }
                            let root = roots[tree]
                            for j in 0..<size { current[j] = root }
                            for _ in 0..<Int(depths[tree]) {
                                var row = blockRows
                                for j in 0..<size {
                                    let node = nodes[Int(current[j])]
                                    current[j] = node.left &+ (row[Int(node.feature)] > node.threshold ? 1 : 0)
                                    row += columns
                                }
                            }
                            for j in 0..<size { sums[j] += Double(nodes[Int(current[j])].pathLength) }
                        }
                        for j in 0..<size { scores[start + j] = exp2(sums[j] * scale) }
                        start += size
                    }
                }
            }
        }
    }
}
