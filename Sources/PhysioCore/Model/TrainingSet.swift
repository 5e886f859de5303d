/// The training matrix of a set of cases, before and after imputation,
/// with each row's case, time and clinical-rule label. Shared by training
/// and by `physio features`, so the matrix that is dumped is the one the
/// forest is fitted on.
public struct TrainingSet: Sendable {
    public let configuration: FeatureConfiguration
    /// Candidate features (all the configuration can produce) and their raw values, NaN = missing.
    public let candidates: [FeatureSpec]
    public let raw: FeatureMatrix
    public let caseIDs: [String]
    /// Rows of each case, in `caseIDs` order; rows are case after case.
    public let caseRowCounts: [Int]
    public let timestamps: [Int64]
    /// Any clinical rule true at the row (on clean values): the seed protocol's label.
    public let labels: [Bool]

    public init(cases: [SampleBatch], configuration: FeatureConfiguration, rules: ClinicalRules = .standard) {
        let candidates = configuration.candidateFeatures
        let extractor = FeatureExtractor(configuration: configuration, features: candidates)
        var raw = FeatureMatrix(columns: candidates.count, reservingRows: cases.reduce(0) { $0 + $1.count })
        var timestamps: [Int64] = [], labels: [Bool] = [], caseIDs: [String] = [], counts: [Int] = []
        for series in cases where !series.isEmpty {
            raw.append(contentsOf: extractor.extract(series, rows: 0..<series.count))
            timestamps += series.timestamps
            labels += rules.labels(for: series, filter: configuration.artefacts)
            caseIDs.append(series.caseID)
            counts.append(series.count)
        }
        self.configuration = configuration
        self.candidates = candidates
        self.raw = raw
        self.caseIDs = caseIDs
        self.caseRowCounts = counts
        self.timestamps = timestamps
        self.labels = labels
    }

    public var rows: Int { raw.rows }

    /// Rows the forest is grown on (all when no row qualifies).
    public func fitMask(_ fitRows: FitRows) -> [Bool] {
        switch fitRows {
        case .all: return [Bool](repeating: true, count: rows)
        case .ruleNegative:
            let mask = labels.map { !$0 }
            return mask.contains(true) ? mask : [Bool](repeating: true, count: rows)
        }
    }

    /// The features kept for training, their imputer, and the imputed matrix
    /// of every row. Medians and observed shares come from the rows the
    /// forest is grown on: a missing value is imputed as typical of them.
    /// A candidate observed in fewer than `minimumObservedFraction` of those
    /// rows is dropped (never one that is observed at all if that would leave none).
    public func prepared(fitRows: FitRows) -> Prepared {
        let mask = fitMask(fitRows)
        let (imputer, observed) = Imputer.fit(raw, rows: mask)
        var kept = candidates.indices.filter { observed[$0] > 0 && observed[$0] >= configuration.minimumObservedFraction }
        if kept.isEmpty { kept = candidates.indices.filter { observed[$0] > 0 } }
        precondition(!kept.isEmpty, "no vital is ever observed (after the artefact filter) in the training data")
        var matrix = raw.selecting(columns: kept)
        let keptImputer = imputer.selecting(kept)
        keptImputer.transform(&matrix)
        var fractions: [String: Double] = [:]
        for (i, feature) in candidates.enumerated() { fractions[configuration.name(of: feature)] = observed[i] }
        return Prepared(features: kept.map { candidates[$0] }, imputer: keptImputer, matrix: matrix, fitMask: mask,
                        dropped: candidates.indices.filter { !kept.contains($0) }.map { configuration.name(of: candidates[$0]) },
                        observedFraction: fractions)
    }

    public struct Prepared: Sendable {
        public let features: [FeatureSpec]
        public let imputer: Imputer
        /// Every row, imputed: no NaN.
        public let matrix: FeatureMatrix
        /// Rows the forest is grown on.
        public let fitMask: [Bool]

        public var fitMatrix: FeatureMatrix { matrix.selecting(rows: fitMask) }
        public let dropped: [String]
        public let observedFraction: [String: Double]
    }
}
