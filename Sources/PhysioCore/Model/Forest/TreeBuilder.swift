/// Grows one tree at a time in scratch buffers reused across trees: the
/// sampled rows are copied column by column so a node's min/max scan reads
/// contiguous memory.
struct TreeBuilder {
    let columns: Int
    let samplesPerTree: Int
    let maxDepth: Int
    private var columnValues: [Float]     // columns × samplesPerTree
    private var order: [Int32]            // sample order, partitioned in place
    private var candidates: [Int] = []
    private var pending: [(node: Int, low: Int, high: Int, depth: Int)] = []

    /// scikit-learn's FEATURE_THRESHOLD: a feature whose range is below it is constant in the node.
    static let constantTolerance: Float = 1e-7

    init(columns: Int, samplesPerTree: Int, maxDepth: Int) {
        self.columns = columns
        self.samplesPerTree = samplesPerTree
        self.maxDepth = maxDepth
        columnValues = [Float](repeating: 0, count: columns * samplesPerTree)
        order = [Int32](repeating: 0, count: samplesPerTree)
    }

    /// Appends one tree's nodes; returns its deepest leaf's depth.
    mutating func grow(rows: [Int], features: [Int], from data: UnsafePointer<Float>,
                       using random: inout SeededGenerator,
                       nodes: inout [IsolationForest.Node], nodeSamples: inout [Int32]) -> Int {
        let m = rows.count
        let columns = self.columns
        columnValues.withUnsafeMutableBufferPointer { values in
            for (i, row) in rows.enumerated() {
                let source = data + row * columns
                for column in features { values[column * m + i] = source[column] }
            }
        }
        for i in 0..<m { order[i] = Int32(i) }
        var deepest = 0
        pending.removeAll(keepingCapacity: true)
        pending.append((nodes.count, 0, m, 0))
        nodes.append(.init(threshold: 0, feature: 0, left: 0, pathLength: 0))
        nodeSamples.append(Int32(m))
        while let (index, low, high, depth) = pending.popLast() {
            let count = high - low
            guard depth < maxDepth, count > 1,
                  let (feature, threshold) = chooseSplit(low: low, high: high, features: features, m: m, using: &random)
            else {
                nodes[index] = .init(threshold: .infinity, feature: 0, left: Int32(index),
                                     pathLength: Float(Double(depth) + AveragePathLength.c(count)))
                deepest = max(deepest, depth)
                continue
            }
            let middle = partition(low: low, high: high, column: feature * m, threshold: threshold)
            let left = nodes.count
            nodes[index] = .init(threshold: threshold, feature: Int32(feature), left: Int32(left), pathLength: 0)
            nodes.append(.init(threshold: 0, feature: 0, left: 0, pathLength: 0))
            nodes.append(.init(threshold: 0, feature: 0, left: 0, pathLength: 0))
            nodeSamples.append(Int32(middle - low))
            nodeSamples.append(Int32(high - middle))
            pending.append((left + 1, middle, high, depth + 1))
            pending.append((left, low, middle, depth + 1))
        }
        return deepest
    }

    /// ExtraTree's random split: features in random order until one is not
    /// constant in the node; threshold uniform in [min, max). Nil if all are constant.
    private mutating func chooseSplit(low: Int, high: Int, features: [Int], m: Int,
                                      using random: inout SeededGenerator) -> (Int, Float)? {
        candidates.removeAll(keepingCapacity: true)
        candidates.append(contentsOf: features)
        for k in 0..<candidates.count {
            let pick = k + random.nextIndex(below: candidates.count - k)
            candidates.swapAt(k, pick)
            let feature = candidates[k]
            let (lowest, highest) = range(of: feature * m, low: low, high: high)
            if highest <= lowest + Self.constantTolerance { continue }
            let drawn = Double(lowest) + random.nextUnit() * (Double(highest) - Double(lowest))
            var threshold = Float(drawn)
            // Rounding to Float must not send every sample left.
            if threshold >= highest { threshold = highest.nextDown }
            if threshold < lowest { threshold = lowest }
            return (feature, threshold)
        }
        return nil
    }

    private func range(of column: Int, low: Int, high: Int) -> (Float, Float) {
        columnValues.withUnsafeBufferPointer { values in
            order.withUnsafeBufferPointer { order in
                var lowest = Float.infinity, highest = -Float.infinity
                for i in low..<high {
                    let x = values[column + Int(order[i])]
                    lowest = min(lowest, x)
                    highest = max(highest, x)
                }
                return (lowest, highest)
            }
        }
    }

    /// Moves samples with value <= threshold before the others; returns the boundary.
    private mutating func partition(low: Int, high: Int, column: Int, threshold: Float) -> Int {
        columnValues.withUnsafeBufferPointer { values in
            order.withUnsafeMutableBufferPointer { order in
                var i = low, j = high - 1
                while i <= j {
                    if values[column + Int(order[i])] <= threshold {
                        i += 1
                    } else {
                        order.swapAt(i, j)
                        j -= 1
                    }
                }
                return i
            }
        }
    }
}
