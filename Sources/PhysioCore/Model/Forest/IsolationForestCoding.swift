/// JSON form of a forest: parallel flat arrays over all nodes of all trees,
/// with `left = -1` marking a leaf (JSON has no infinity, and the in-memory
/// self-pointing leaves are a scoring trick, not part of the format).
extension IsolationForest: Codable {
    enum CodingKeys: String, CodingKey {
        case parameters, featureCount = "feature_count", samplesPerTree = "samples_per_tree"
        case roots, depths, left, feature, threshold, pathLength = "path_length", samples
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        parameters = try container.decode(IsolationForestParameters.self, forKey: .parameters)
        featureCount = try container.decode(Int.self, forKey: .featureCount)
        samplesPerTree = try container.decode(Int.self, forKey: .samplesPerTree)
        roots = try container.decode([Int32].self, forKey: .roots)
        depths = try container.decode([Int32].self, forKey: .depths)
        let left = try container.decode([Int32].self, forKey: .left)
        let feature = try container.decode([Int32].self, forKey: .feature)
        let threshold = try container.decode([Float].self, forKey: .threshold)
        let pathLength = try container.decode([Float].self, forKey: .pathLength)
        nodeSamples = try container.decode([Int32].self, forKey: .samples)
        let count = left.count
        guard feature.count == count, threshold.count == count, pathLength.count == count,
              nodeSamples.count == count, roots.count == depths.count, featureCount > 0
        else { throw DecodingError.dataCorruptedError(forKey: .left, in: container, debugDescription: "node arrays differ in length") }
        nodes = []
        nodes.reserveCapacity(count)
        for i in 0..<count {
            if left[i] < 0 {
                nodes.append(Node(threshold: .infinity, feature: 0, left: Int32(i), pathLength: pathLength[i]))
            } else {
                // Children must exist and the feature must be in range, or scoring would read out of bounds.
                guard Int(left[i]) + 1 < count, Int(left[i]) > i, (0..<featureCount).contains(Int(feature[i])) else {
                    throw DecodingError.dataCorruptedError(forKey: .left, in: container, debugDescription: "node \(i) is malformed")
                }
                nodes.append(Node(threshold: threshold[i], feature: feature[i], left: left[i], pathLength: 0))
            }
        }
        guard roots.allSatisfy({ (0..<Int32(count)).contains($0) }) else {
            throw DecodingError.dataCorruptedError(forKey: .roots, in: container, debugDescription: "root out of range")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(parameters, forKey: .parameters)
        try container.encode(featureCount, forKey: .featureCount)
        try container.encode(samplesPerTree, forKey: .samplesPerTree)
        try container.encode(roots, forKey: .roots)
        try container.encode(depths, forKey: .depths)
        try container.encode(nodes.indices.map { isLeaf($0) ? -1 : nodes[$0].left }, forKey: .left)
        try container.encode(nodes.indices.map { isLeaf($0) ? 0 : nodes[$0].feature }, forKey: .feature)
        try container.encode(nodes.indices.map { isLeaf($0) ? 0 : nodes[$0].threshold }, forKey: .threshold)
        try container.encode(nodes.map(\.pathLength), forKey: .pathLength)
        try container.encode(nodeSamples, forKey: .samples)
    }
}
