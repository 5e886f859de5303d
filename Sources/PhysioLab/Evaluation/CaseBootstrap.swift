import PhysioCore

/// The bootstrap by case (Efron & Tibshirani, An Introduction to the
/// Bootstrap, 1993): samples of one case are not independent, so a resample
/// draws whole cases with replacement, as many as there are, and a case
/// drawn k times counts k times. The 95 % interval is the 2.5th and 97.5th
/// percentile of the metric over resamples (linear interpolation, as
/// numpy's default). Seeded, so a report is reproducible.
public struct CaseBootstrap: Sendable, Equatable {
    public var resamples: Int
    public var seed: UInt64

    public init(resamples: Int = 1000, seed: UInt64 = 0) {
        precondition(resamples > 0, "at least one resample")
        self.resamples = resamples
        self.seed = seed
    }

    /// Per resample, how often each of `cases` cases is drawn. `stream`
    /// separates independent sets of draws under one seed (one per group of cases).
    public func draws(cases: Int, stream: UInt64) -> [[Int32]] {
        var random = SeededGenerator(seed: seed, stream: stream)
        return (0..<resamples).map { _ in
            var counts = [Int32](repeating: 0, count: cases)
            for _ in 0..<cases { counts[random.nextIndex(below: cases)] += 1 }
            return counts
        }
    }

    /// A stable stream number for a group's name (FNV-1a), so one group's
    /// draws do not change when other groups come or go.
    public static func stream(named name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// The interval of a ratio of counts summed over cases, `parts[c]` = case c's
    /// (numerator, denominator); resamples whose denominator is 0 are skipped;
    /// nil for fewer than two cases.
    public func ratioInterval(_ parts: [(Int, Int)], stream: UInt64) -> ClosedRange<Double>? {
        guard parts.count > 1 else { return nil }
        var ratios: [Double] = []
        for weights in draws(cases: parts.count, stream: stream) {
            var numerator = 0, denominator = 0
            for (index, weight) in weights.enumerated() where weight > 0 {
                numerator += Int(weight) * parts[index].0
                denominator += Int(weight) * parts[index].1
            }
            if denominator > 0 { ratios.append(Double(numerator) / Double(denominator)) }
        }
        return Self.percentileInterval(ratios)
    }

    /// The central `level` percentile interval of `values`; nil when empty.
    public static func percentileInterval(_ values: [Double], level: Double = 0.95) -> ClosedRange<Double>? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func quantile(_ q: Double) -> Double {
            let position = q * Double(sorted.count - 1)
            let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
            return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
        }
        let tail = (1 - level) / 2
        return quantile(tail)...quantile(1 - tail)
    }
}
