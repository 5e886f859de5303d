/// How features are computed from a case's own preceding samples. Windows
/// are in seconds, never in rows, so a 1-s monitor stream and an hourly ICU
/// chart mean the same thing: a window with too few samples in it (a gap
/// longer than the window) makes that feature missing, never interpolated.
public struct FeatureConfiguration: Codable, Sendable, Equatable {
    /// Vitals that contribute features.
    public var vitals: [Vital]
    /// What is computed per vital (value, change, variability); `missing` is added by `missingIndicators`.
    public var kinds: [FeatureSpec.Kind]
    /// "Change over the last W s": current value minus the earliest sample in [t − W, t).
    public var deltaWindowSeconds: Double
    /// "Variability over the last W s": standard deviation of the samples in [t − W, t].
    public var variabilityWindowSeconds: Double
    /// A missing value takes the last sample's value if that is at most this old.
    public var carryForwardSeconds: Double
    /// Fewest samples in the variability window for a standard deviation.
    public var minimumVariabilitySamples: Int
    /// Adds `<vital>_missing` (1 = no value even after carry-forward) per vital.
    /// Off by default: an isolation forest isolates whatever is rare, so an
    /// indicator turns a disconnected line or a probe off (rare, and an
    /// artefact) into a high anomaly score, the opposite of what artefact
    /// handling is for. Median imputation keeps a missing vital neutral instead.
    public var missingIndicators: Bool
    /// Training drops a feature observed (before imputation) in fewer rows
    /// than this fraction: in hourly charts the 60-s change and 5-min
    /// variability are almost never defined, and a column that is the
    /// imputed median 99 % of the time only teaches the forest that being
    /// observed is unusual.
    public var minimumObservedFraction: Double
    public var artefacts: ArtefactFilter

    public init(vitals: [Vital] = Vital.allCases, kinds: [FeatureSpec.Kind] = [.value, .change, .variability],
                deltaWindowSeconds: Double = 60, variabilityWindowSeconds: Double = 300,
                carryForwardSeconds: Double = 30, minimumVariabilitySamples: Int = 3, missingIndicators: Bool = false,
                minimumObservedFraction: Double = 0.05, artefacts: ArtefactFilter = .standard) {
        self.vitals = vitals
        self.kinds = kinds.filter { $0 != .missing }
        self.deltaWindowSeconds = deltaWindowSeconds
        self.variabilityWindowSeconds = variabilityWindowSeconds
        self.carryForwardSeconds = carryForwardSeconds
        self.minimumVariabilitySamples = minimumVariabilitySamples
        self.missingIndicators = missingIndicators
        self.minimumObservedFraction = minimumObservedFraction
        self.artefacts = artefacts
    }

    /// Every feature this configuration can produce, in column order.
    public var candidateFeatures: [FeatureSpec] {
        vitals.flatMap { vital in
            kinds.map { FeatureSpec(vital, $0) } + (missingIndicators ? [FeatureSpec(vital, .missing)] : [])
        }
    }

    /// How far back a row's features look (the artefact filter's settling included).
    public var lookbackSeconds: Double {
        max(deltaWindowSeconds, variabilityWindowSeconds, carryForwardSeconds) + artefacts.settleSeconds
    }

    public func name(of feature: FeatureSpec) -> String {
        switch feature.kind {
        case .value: feature.vital.name
        case .change: "\(feature.vital.name)_delta_\(Self.seconds(deltaWindowSeconds))s"
        case .variability: "\(feature.vital.name)_sd_\(Self.seconds(variabilityWindowSeconds))s"
        case .missing: "\(feature.vital.name)_missing"
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    enum CodingKeys: String, CodingKey {
        case vitals, kinds, deltaWindowSeconds = "delta_window_seconds", variabilityWindowSeconds = "variability_window_seconds"
        case carryForwardSeconds = "carry_forward_seconds", minimumVariabilitySamples = "minimum_variability_samples"
        case missingIndicators = "missing_indicators", minimumObservedFraction = "minimum_observed_fraction", artefacts
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vitals = try container.decode([String].self, forKey: .vitals).map { name in
            guard let vital = Vital(name: name) else {
                throw DecodingError.dataCorruptedError(forKey: .vitals, in: container, debugDescription: "unknown vital \(name)")
            }
            return vital
        }
        kinds = try container.decode([FeatureSpec.Kind].self, forKey: .kinds)
        deltaWindowSeconds = try container.decode(Double.self, forKey: .deltaWindowSeconds)
        variabilityWindowSeconds = try container.decode(Double.self, forKey: .variabilityWindowSeconds)
        carryForwardSeconds = try container.decode(Double.self, forKey: .carryForwardSeconds)
        minimumVariabilitySamples = try container.decode(Int.self, forKey: .minimumVariabilitySamples)
        missingIndicators = try container.decode(Bool.self, forKey: .missingIndicators)
        minimumObservedFraction = try container.decode(Double.self, forKey: .minimumObservedFraction)
        artefacts = try container.decode(ArtefactFilter.self, forKey: .artefacts)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vitals.map(\.name), forKey: .vitals)
        try container.encode(kinds, forKey: .kinds)
        try container.encode(deltaWindowSeconds, forKey: .deltaWindowSeconds)
        try container.encode(variabilityWindowSeconds, forKey: .variabilityWindowSeconds)
        try container.encode(carryForwardSeconds, forKey: .carryForwardSeconds)
        try container.encode(minimumVariabilitySamples, forKey: .minimumVariabilitySamples)
        try container.encode(missingIndicators, forKey: .missingIndicators)
        try container.encode(minimumObservedFraction, forKey: .minimumObservedFraction)
        try container.encode(artefacts, forKey: .artefacts)
    }
}
