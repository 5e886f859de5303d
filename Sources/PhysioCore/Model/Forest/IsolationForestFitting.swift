extension IsolationForest {
    /// Grows the forest on the rows of `data` (no NaN: impute first).
    /// Deterministic: tree `i` draws from stream `i` of `parameters.seed`.
    public static func fit(_ data: FeatureMatrix, parameters: IsolationForestParameters = .init()) -> IsolationForest {
        precondition(data.rows > 0, "cannot fit a forest on no rows")
        let psi = min(parameters.maxSamples, data.rows)
        let featuresPerTree = max(1, Int(parameters.maxFeatures * Double(data.columns)))
        var builder = TreeBuilder(columns: data.columns, samplesPerTree: psi,
                                  maxDepth: maxDepth(samplesPerTree: psi))
        var shuffle = SparseShuffle()
        var nodes: [Node] = []
        var nodeSamples: [Int32] = []
        var roots: [Int32] = []
        var depths: [Int32] = []
        let allFeatures = Array(0..<data.columns)
        nodes.reserveCapacity(parameters.trees * (2 * psi - 1))
        nodeSamples.reserveCapacity(parameters.trees * (2 * psi - 1))
        data.values.withUnsafeBufferPointer { values in
            for tree in 0..<parameters.trees {
                var random = SeededGenerator(seed: parameters.seed, stream: UInt64(tree))
                let rows = shuffle.sample(psi, from: data.rows, using: &random)
                let features = featuresPerTree == data.columns
                    ? allFeatures
                    : shuffle.sample(featuresPerTree, from: data.columns, using: &random).sorted()
                roots.append(Int32(nodes.count))
                let depth = builder.grow(rows: rows, features: features, from: values.baseAddress!,
                                         using: &random, nodes: &nodes, nodeSamples: &nodeSamples)
                depths.append(Int32(depth))
            }
        }
        return IsolationForest(parameters: parameters, featureCount: data.columns, samplesPerTree: psi,
                               nodes: nodes, nodeSamples: nodeSamples, roots: roots, depths: depths)
    }

    /// `k` distinct indices of 0..<n in draw order.
    static func sampleWithoutReplacement(_ k: Int, from n: Int, using random: inout SeededGenerator) -> [Int] {
        var shuffle = SparseShuffle()
        return shuffle.sample(k, from: n, using: &random)
    }
}

