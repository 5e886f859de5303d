import PhysioPlatform

/// Computes feature rows of one case from its own samples at or before each
/// row's time (causal: a row's features never change when later samples
/// arrive, so scoring a batch and re-scoring the whole case agree).
///
/// Per vital, after the artefact filter and the MAP estimate:
/// - value: the sample at t, else the latest earlier one if at most
///   `carryForwardSeconds` old, else missing;
/// - change: value − the earliest sample in [t − delta window, time of the value);
///   missing when the value is, or when no earlier sample lies in the window;
/// - variability: population standard deviation of the samples in
///   [t − variability window, t]; missing below `minimumVariabilitySamples` samples;
/// - missing (optional): 1 when the value is missing, else 0.
/// Missing entries are NaN here; the model's `Imputer` fills them.
public struct FeatureExtractor: Sendable {
    public let configuration: FeatureConfiguration
    public let features: [FeatureSpec]

    public init(configuration: FeatureConfiguration, features: [FeatureSpec]? = nil) {
        self.configuration = configuration
        self.features = features ?? configuration.candidateFeatures
    }

    public var names: [String] { features.map(configuration.name(of:)) }

    /// Raw features (NaN = missing) of `rows`; earlier rows of `series` serve as context.
    public func extract(_ series: SampleBatch, rows: Range<Int>) -> FeatureMatrix {
        var matrix = FeatureMatrix(columns: features.count,
                                   values: [Float](repeating: .nan, count: rows.count * features.count))
        guard !rows.isEmpty else { return matrix }
        let firstTime = series.timestamps[rows.lowerBound]
        let contextStart = SortedTimes.firstIndex(series.timestamps, atOrAfter: firstTime - Timestamp.micros(seconds: configuration.lookbackSeconds),
                                                  in: 0..<rows.lowerBound)
        let clean = configuration.artefacts.clean(series, rows: contextStart..<rows.upperBound)
        let targetOffset = rows.lowerBound - contextStart
        for vital in Set(features.map(\.vital)).sorted(by: { $0.rawValue < $1.rawValue }) {
            let columns = VitalColumns(vital: vital, features: features)
            fill(&matrix, vital: vital, columns: columns, clean: clean, targetRows: targetOffset..<clean.count)
        }
        return matrix
    }

    /// Where each kind of feature of one vital goes in the output (nil: not wanted).
    private struct VitalColumns {
        var value: Int?, change: Int?, variability: Int?, missing: Int?
        init(vital: Vital, features: [FeatureSpec]) {
            for (column, feature) in features.enumerated() where feature.vital == vital {
                switch feature.kind {
                case .value: value = column
                case .change: change = column
                case .variability: variability = column
                case .missing: missing = column
                }
            }
        }
    }

    private func fill(_ matrix: inout FeatureMatrix, vital: Vital, columns: VitalColumns,
                      clean: SampleBatch, targetRows: Range<Int>) {
        // The vital's samples (clean, present) in time order.
        var times: [Int64] = [], values: [Double] = []
        for row in 0..<clean.count {
            let value = clean.values[row * Vital.count + vital.rawValue]
            if !value.isNaN { times.append(clean.timestamps[row]); values.append(Double(value)) }
        }
        let carry = Timestamp.micros(seconds: configuration.carryForwardSeconds)
        let deltaWindow = Timestamp.micros(seconds: configuration.deltaWindowSeconds)
        let variabilityWindow = Timestamp.micros(seconds: configuration.variabilityWindowSeconds)
        var last = -1, deltaStart = 0, variabilityStart = 0
        for (outRow, row) in targetRows.enumerated() {
            let time = clean.timestamps[row]
            while last + 1 < times.count, times[last + 1] <= time { last += 1 }
            let hasValue = last >= 0 && time - times[last] <= carry
            if let column = columns.value, hasValue { matrix[outRow, column] = Float(values[last]) }
            if let column = columns.missing { matrix[outRow, column] = hasValue ? 0 : 1 }
            if let column = columns.change, hasValue {
                while deltaStart < last, times[deltaStart] < time - deltaWindow { deltaStart += 1 }
                if deltaStart < last, times[deltaStart] >= time - deltaWindow {
                    matrix[outRow, column] = Float(values[last] - values[deltaStart])
                }
            }
            if let column = columns.variability, last >= 0 {
                while variabilityStart < last, times[variabilityStart] < time - variabilityWindow { variabilityStart += 1 }
                if times[variabilityStart] >= time - variabilityWindow,
                   last - variabilityStart + 1 >= configuration.minimumVariabilitySamples {
                    matrix[outRow, column] = Float(Self.standardDeviation(values[variabilityStart...last]))
                }
            }
        }
    }

    /// Population standard deviation, two-pass for accuracy.
    static func standardDeviation(_ values: ArraySlice<Double>) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(values.count)).squareRoot()
    }

}
