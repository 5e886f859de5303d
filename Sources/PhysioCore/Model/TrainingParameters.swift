/// Everything `AnomalyModel.train` needs besides the data. The defaults are
/// the shipped detector: `physio train` with no options trains exactly this.
public struct TrainingParameters: Codable, Sendable, Equatable {
    /// Each vital's novelty forest (scikit-learn's defaults: 100 trees of 256 samples).
    public var forest: IsolationForestParameters
    /// Vitals that get a novelty forest, when the training data hold enough of them.
    public var noveltyVitals: [Vital]
    /// Fewest rule-negative training rows of a vital for its forest.
    public var minimumNoveltyRows: Int
    /// Training quantile above which novelty counts.
    public var noveltyTailQuantile: Double
    public var noveltyWeight: Double
    public var rules: ClinicalRules
    public var artefacts: ArtefactFilter
    public var hold: VitalHold
    public var trends: TrendWindows
    public var baseline: BaselineWindow
    public var risk: BreachRisk
    public var policy: AlarmPolicy
    /// Free text: where the cases came from.
    public var dataDescription: String
    /// Microseconds since the epoch; nil = now.
    public var trainedAt: Int64?

    public init(forest: IsolationForestParameters = .init(), noveltyVitals: [Vital] = Vital.allCases, minimumNoveltyRows: Int = 500,
                noveltyTailQuantile: Double = 0.999, noveltyWeight: Double = 0.6, rules: ClinicalRules = .standard,
                artefacts: ArtefactFilter = .standard, hold: VitalHold = .standard, trends: TrendWindows = .init(),
                baseline: BaselineWindow = .init(), risk: BreachRisk = .init(), policy: AlarmPolicy = .init(),
                dataDescription: String = "", trainedAt: Int64? = nil) {
        precondition((0..<1).contains(noveltyTailQuantile) && (0...1).contains(noveltyWeight) && minimumNoveltyRows > 0)
        self.forest = forest
        self.noveltyVitals = noveltyVitals
        self.minimumNoveltyRows = minimumNoveltyRows
        self.noveltyTailQuantile = noveltyTailQuantile
        self.noveltyWeight = noveltyWeight
        self.rules = rules
        self.artefacts = artefacts
        self.hold = hold
        self.trends = trends
        self.baseline = baseline
        self.risk = risk
        self.policy = policy
        self.dataDescription = dataDescription
        self.trainedAt = trainedAt
    }

    enum CodingKeys: String, CodingKey {
        case forest, noveltyVitals = "novelty_vitals", minimumNoveltyRows = "minimum_novelty_rows"
        case noveltyTailQuantile = "novelty_tail_quantile", noveltyWeight = "novelty_weight", rules, artefacts, hold
        case trends, baseline, risk, policy, dataDescription = "data_description", trainedAt = "trained_at_micros"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let names = try container.decode([String].self, forKey: .noveltyVitals)
        let vitals = try names.map { name in
            guard let vital = Vital(name: name) else {
                throw DecodingError.dataCorruptedError(forKey: .noveltyVitals, in: container, debugDescription: "unknown vital \(name)")
            }
            return vital
        }
        self.init(forest: try container.decode(IsolationForestParameters.self, forKey: .forest), noveltyVitals: vitals,
                  minimumNoveltyRows: try container.decode(Int.self, forKey: .minimumNoveltyRows),
                  noveltyTailQuantile: try container.decode(Double.self, forKey: .noveltyTailQuantile),
                  noveltyWeight: try container.decode(Double.self, forKey: .noveltyWeight),
                  rules: try container.decode(ClinicalRules.self, forKey: .rules),
                  artefacts: try container.decode(ArtefactFilter.self, forKey: .artefacts),
                  hold: try container.decode(VitalHold.self, forKey: .hold),
                  trends: try container.decode(TrendWindows.self, forKey: .trends),
                  baseline: try container.decode(BaselineWindow.self, forKey: .baseline),
                  risk: try container.decode(BreachRisk.self, forKey: .risk),
                  policy: try container.decode(AlarmPolicy.self, forKey: .policy),
                  dataDescription: try container.decode(String.self, forKey: .dataDescription),
                  trainedAt: try container.decodeIfPresent(Int64.self, forKey: .trainedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(forest, forKey: .forest)
        try container.encode(noveltyVitals.map(\.name), forKey: .noveltyVitals)
        try container.encode(minimumNoveltyRows, forKey: .minimumNoveltyRows)
        try container.encode(noveltyTailQuantile, forKey: .noveltyTailQuantile)
        try container.encode(noveltyWeight, forKey: .noveltyWeight)
        try container.encode(rules, forKey: .rules)
        try container.encode(artefacts, forKey: .artefacts)
        try container.encode(hold, forKey: .hold)
        try container.encode(trends, forKey: .trends)
        try container.encode(baseline, forKey: .baseline)
        try container.encode(risk, forKey: .risk)
        try container.encode(policy, forKey: .policy)
        try container.encode(dataDescription, forKey: .dataDescription)
        try container.encodeIfPresent(trainedAt, forKey: .trainedAt)
    }
}
