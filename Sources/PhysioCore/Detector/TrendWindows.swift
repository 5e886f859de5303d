import PhysioPlatform

/// Where a vital is heading: least-squares slopes of its clean samples over
/// several windows, and its spread over the longest. Windows are in
/// seconds, so a 1-s stream and a cuff every 3 minutes mean the same thing;
/// a window with too few samples, or whose samples cover less than half of
/// it, leaves that slope missing rather than guessing.
public struct TrendWindows: Codable, Sendable, Equatable {
    /// Slope windows, seconds (1, 3 and 5 minutes).
    public var slopeSeconds: [Double]
    /// Window of the standard deviation, seconds.
    public var spreadSeconds: Double
    /// Fewest samples for a slope or a spread.
    public var minimumSamples: Int

    public init(slopeSeconds: [Double] = [60, 180, 300], spreadSeconds: Double = 300, minimumSamples: Int = 3) {
        precondition(!slopeSeconds.isEmpty && slopeSeconds.allSatisfy { $0 > 0 } && spreadSeconds > 0 && minimumSamples >= 2)
        self.slopeSeconds = slopeSeconds
        self.spreadSeconds = spreadSeconds
        self.minimumSamples = minimumSamples
    }

    public var longestSeconds: Double { max(slopeSeconds.max() ?? 0, spreadSeconds) }

    enum CodingKeys: String, CodingKey {
        case slopeSeconds = "slope_seconds", spreadSeconds = "spread_seconds", minimumSamples = "minimum_samples"
    }
}

/// Trends of one vital at each target row: `slopes[w][row]` in units per
/// minute for window `w`, `spread[row]` the population standard deviation.
/// NaN where missing. Samples that breach one of the vital's own rules are
/// left out: a trend says where the vital is heading while still inside its
/// limits, and a return from a breach (HR 165 back to 75) is no fall
/// towards the opposite limit.
public struct VitalTrend: Sendable {
    public var slopes: [[Float]]
    public var spread: [Float]

    /// Trends of `vital` at rows `rows` of a clean series (earlier rows are
    /// context), from samples where none of `excluding` is true.
    public init(_ clean: SampleBatch, vital: Vital, rows: Range<Int>, windows: TrendWindows, excluding: [ClinicalRule] = []) {
        slopes = windows.slopeSeconds.map { _ in [Float](repeating: .nan, count: rows.count) }
        spread = [Float](repeating: .nan, count: rows.count)
        guard !rows.isEmpty else { return }
        // The vital's samples in time order, in seconds from the first target row (well conditioned sums).
        let origin = clean.timestamps[rows.lowerBound]
        let first = SortedTimes.firstIndex(clean.timestamps, atOrAfter: origin - Timestamp.micros(seconds: windows.longestSeconds),
                                           in: 0..<rows.lowerBound)
        // Window edges are compared in microseconds: in seconds from an origin,
        // a sample exactly a window back fell in or out with the origin's
        // rounding, so a job scored a row otherwise than the whole case did.
        var micros: [Int64] = [], values: [Double] = []
        micros.reserveCapacity(rows.upperBound - first)
        values.reserveCapacity(rows.upperBound - first)
        for row in first..<rows.upperBound {
            let value = clean.values[row * Vital.count + vital.rawValue]
            if !value.isNaN, !excluding.contains(where: { $0.isTrue(value) }) {
                micros.append(clean.timestamps[row])
                values.append(Double(value))
            }
        }
        guard micros.count >= windows.minimumSamples else { return }
        let sums = RunningSums(times: micros.map { Double($0 - origin) / 1e6 }, values: values)
        let slopeMicros = windows.slopeSeconds.map { Timestamp.micros(seconds: $0) }
        let spreadMicros = Timestamp.micros(seconds: windows.spreadSeconds)
        var upper = 0
        var lowers = [Int](repeating: 0, count: windows.slopeSeconds.count)
        var spreadLower = 0
        for (offset, row) in rows.enumerated() {
            let time = clean.timestamps[row]
            while upper < micros.count, micros[upper] <= time { upper += 1 }
            for (w, window) in slopeMicros.enumerated() {
                while lowers[w] < upper, micros[lowers[w]] < time - window { lowers[w] += 1 }
                let lower = lowers[w]
                guard upper - lower >= windows.minimumSamples, 2 * (time - micros[lower]) >= window else { continue }
                if let slope = sums.slope(lower..<upper) { slopes[w][offset] = Float(slope * 60) }
            }
            while spreadLower < upper, micros[spreadLower] < time - spreadMicros { spreadLower += 1 }
            if upper - spreadLower >= windows.minimumSamples {
                spread[offset] = Float(sums.standardDeviation(spreadLower..<upper))
            }
        }
    }
}

/// Prefix sums for least squares over any run of samples in O(1).
private struct RunningSums {
    var n: [Double] = [0], t: [Double] = [0], x: [Double] = [0], tt: [Double] = [0], tx: [Double] = [0], xx: [Double] = [0]

    init(times: [Double], values: [Double]) {
        for (time, value) in zip(times, values) {
            n.append(n.last! + 1)
            t.append(t.last! + time)
            x.append(x.last! + value)
            tt.append(tt.last! + time * time)
            tx.append(tx.last! + time * value)
            xx.append(xx.last! + value * value)
        }
    }

    /// Slope per second of the samples `range`; nil when their times are all equal.
    func slope(_ range: Range<Int>) -> Double? {
        let (a, b) = (range.lowerBound, range.upperBound)
        let count = n[b] - n[a], sumT = t[b] - t[a], sumX = x[b] - x[a]
        let denominator = count * (tt[b] - tt[a]) - sumT * sumT
        guard denominator > 1e-9 else { return nil }
        return (count * (tx[b] - tx[a]) - sumT * sumX) / denominator
    }

    func standardDeviation(_ range: Range<Int>) -> Double {
        let (a, b) = (range.lowerBound, range.upperBound)
        let count = n[b] - n[a]
        let mean = (x[b] - x[a]) / count
        return max((xx[b] - xx[a]) / count - mean * mean, 0).squareRoot()
    }
}
