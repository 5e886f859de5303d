/// One clinical threshold: `vital comparison limit`, e.g. HR > 140.
/// Fires only when the vital is present (after the artefact filter): a
/// missing value is not evidence of anything.
public struct ClinicalRule: Codable, Sendable, Equatable, Hashable {
    public enum Comparison: String, Codable, Sendable {
        case greaterThan = ">", greaterOrEqual = ">=", lessThan = "<", lessOrEqual = "<="

        var idToken: String {
            switch self {
            case .greaterThan: "gt"
            case .greaterOrEqual: "ge"
            case .lessThan: "lt"
            case .lessOrEqual: "le"
            }
        }
    }

    /// Stable identifier stored with episodes, e.g. `hr_gt_140`.
    public let id: String
    public let vital: Vital
    public let comparison: Comparison
    public let limit: Float
    /// Where the threshold comes from.
    public let source: String

    public init(_ vital: Vital, _ comparison: Comparison, _ limit: Float, source: String, id: String? = nil) {
        self.vital = vital
        self.comparison = comparison
        self.limit = limit
        self.source = source
        let limitText = limit == limit.rounded() ? String(Int(limit)) : String(limit).replacingDots()
        self.id = id ?? "\(vital.name)_\(comparison.idToken)_\(limitText)"
    }

    @inline(__always)
    public func isTrue(_ value: Float) -> Bool {
        // NaN compares false everywhere: a missing value never fires.
        switch comparison {
        case .greaterThan: value > limit
        case .greaterOrEqual: value >= limit
        case .lessThan: value < limit
        case .lessOrEqual: value <= limit
        }
    }

    public var description: String { "\(vital.name) \(comparison.rawValue) \(formatLimit) \(vital.unit)" }

    private var formatLimit: String { limit == limit.rounded() ? String(Int(limit)) : String(limit) }

    enum CodingKeys: String, CodingKey { case id, vital, comparison, limit, source }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .vital)
        guard let vital = Vital(name: name) else {
            throw DecodingError.dataCorruptedError(forKey: .vital, in: container, debugDescription: "unknown vital \(name)")
        }
        self.init(vital, try container.decode(Comparison.self, forKey: .comparison),
                  try container.decode(Float.self, forKey: .limit),
                  source: try container.decode(String.self, forKey: .source),
                  id: try container.decode(String.self, forKey: .id))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(vital.name, forKey: .vital)
        try container.encode(comparison, forKey: .comparison)
        try container.encode(limit, forKey: .limit)
        try container.encode(source, forKey: .source)
    }
}

private extension String {
    func replacingDots() -> String { String(map { $0 == "." ? "_" : $0 }) }
}
