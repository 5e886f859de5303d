/// One feature column: which vital and what is computed from it.
public struct FeatureSpec: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        /// The value now, carried forward within the limit.
        case value
        /// Change over the delta window.
        case change
        /// Standard deviation over the variability window.
        case variability
        /// 1 when the value is missing even after carry-forward.
        case missing
    }

    public let vital: Vital
    public let kind: Kind

    public init(_ vital: Vital, _ kind: Kind) {
        self.vital = vital
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey { case vital, kind }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .vital)
        guard let vital = Vital(name: name) else {
            throw DecodingError.dataCorruptedError(forKey: .vital, in: container, debugDescription: "unknown vital \(name)")
        }
        self.init(vital, try container.decode(Kind.self, forKey: .kind))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vital.name, forKey: .vital)
        try container.encode(kind, forKey: .kind)
    }
}
