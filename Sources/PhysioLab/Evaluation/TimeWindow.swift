import PhysioCore

/// A stretch of each case by time: samples with from ≤ t < until
/// (microseconds; nil = open). Splits one recording into a training and a
/// test part that do not overlap in time.
public struct TimeWindow: Sendable, Equatable {
    public var from: Int64?
    public var until: Int64?

    public init(from: Int64? = nil, until: Int64? = nil) {
        precondition(from == nil || until == nil || from! < until!, "the window must not be empty")
        self.from = from
        self.until = until
    }

    public static let all = TimeWindow()

    /// The case without its samples at or after `until` (they must not be seen at all).
    public func truncated(_ series: SampleBatch) -> SampleBatch {
        guard let until, let last = series.timestamps.last, last >= until else { return series }
        let end = SortedTimes.firstIndex(series.timestamps, atOrAfter: until, in: 0..<series.count)
        return series.prefix(rows: end)
    }

    /// The rows of `series` (already truncated) inside the window; earlier rows are context.
    public func rows(in series: SampleBatch) -> Range<Int> {
        let end = until.map { SortedTimes.firstIndex(series.timestamps, atOrAfter: $0, in: 0..<series.count) } ?? series.count
        let start = from.map { SortedTimes.firstIndex(series.timestamps, atOrAfter: $0, in: 0..<end) } ?? 0
        return start..<end
    }

    /// Only the window's samples: for training on a part of a case.
    public func cut(_ series: SampleBatch) -> SampleBatch {
        let rows = rows(in: series)
        return series.slice(rows: rows)
    }
}

extension SampleBatch {
    /// The first `rows` rows.
    public func prefix(rows: Int) -> SampleBatch { slice(rows: 0..<rows) }

    /// A copy of `rows`.
    public func slice(rows: Range<Int>) -> SampleBatch {
        var out = SampleBatch(caseID: caseID, reservingCapacity: rows.count)
        for row in rows {
            let index = out.appendRow(timestamp: timestamps[row])
            for vital in Vital.allCases {
                let value = values[row * Vital.count + vital.rawValue]
                if !value.isNaN { out.set(vital, row: index, to: value) }
            }
        }
        return out
    }
}
