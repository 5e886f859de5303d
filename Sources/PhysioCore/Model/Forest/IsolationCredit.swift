#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension IsolationForest {
    /// How much each feature did to isolate `row`, in bits per tree.
    ///
    /// Walking the row's path in every tree, a split on feature f that sends
    /// the row from a node with n training samples to a child with k adds
    /// log2(n / k) to f. Along one path these credits sum to log2(ψ / leaf
    /// samples): the isolation achieved is shared exactly among the features
    /// that achieved it. A split that separates the row from almost all its
    /// node's samples (an outlying value) earns many bits; an ordinary halving earns one.
    public func isolationCredit(_ row: [Float]) -> [Double] {
        precondition(row.count == featureCount)
        var credit = [Double](repeating: 0, count: featureCount)
        for root in roots {
            var index = Int(root)
            while !isLeaf(index) {
                let node = nodes[index]
                let child = Int(node.left) + (row[Int(node.feature)] > node.threshold ? 1 : 0)
                credit[Int(node.feature)] += log2(Double(nodeSamples[index]) / Double(nodeSamples[child]))
                index = child
            }
        }
        return credit.map { $0 / Double(max(treeCount, 1)) }
    }
}
