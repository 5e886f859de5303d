/// Searches and summaries of ascending timestamps (microseconds).
public enum SortedTimes {
    /// First index in `range` whose time is ≥ `time`, or `range.upperBound`.
    public static func firstIndex(_ times: [Int64], atOrAfter time: Int64, in range: Range<Int>) -> Int {
        var low = range.lowerBound, high = range.upperBound
        while low < high {
            let middle = (low + high) / 2
            if times[middle] < time { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Median interval between consecutive samples of `range`, seconds; nil with fewer than two.
    public static func medianSpacingSeconds(_ times: [Int64], in range: Range<Int>) -> Double? {
        guard range.count > 1 else { return nil }
        let gaps = (range.lowerBound + 1..<range.upperBound).map { Double(times[$0] - times[$0 - 1]) / 1e6 }
        return Median.of(gaps)
    }
}

public enum Median {
    /// The middle value (mean of the middle two for an even count); nil when empty.
    public static func of(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
