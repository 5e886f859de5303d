extension SampleBatch {
    /// Appends row `row` of `other` (its time and every vital).
    public mutating func append(row: Int, of other: SampleBatch) {
        let index = appendRow(timestamp: other.timestamps[row])
        for vital in Vital.allCases { set(vital, row: index, to: other.values[row * Vital.count + vital.rawValue]) }
    }

    /// The same samples with every value outside `Vital.reportableRange` made
    /// missing, and how many were. Used where one bad chart entry must not
    /// cost a whole case (importing ICU charts with 0 °C temperatures); over
    /// HTTP such a batch is refused instead, so the monitor hears about it.
    public func droppingUnreportableValues() -> (batch: SampleBatch, dropped: Int) {
        var copy = self
        var dropped = 0
        for row in 0..<count {
            for vital in Vital.allCases {
                guard let value = value(vital, row: row), !vital.reportableRange.contains(value) else { continue }
                copy.set(vital, row: row, to: .nan)
                dropped += 1
            }
        }
        return (copy, dropped)
    }

    /// Consecutive pieces of at most `size` rows.
    public func chunks(of size: Int) -> [SampleBatch] {
        precondition(size > 0)
        return stride(from: 0, to: count, by: size).map { start in
            rows(start..<Swift.min(start + size, count), caseID: caseID)
        }
    }

    /// Only the rows that have at least one vital (what ingest accepts).
    public func droppingEmptyRows() -> SampleBatch {
        var kept = SampleBatch(caseID: caseID, reservingCapacity: count)
        for row in 0..<count where Vital.allCases.contains(where: { value($0, row: row) != nil }) { kept.append(row: row, of: self) }
        return kept
    }

    /// The same samples under another case id.
    public func renamed(to caseID: String) -> SampleBatch {
        caseID == self.caseID ? self : rows(0..<count, caseID: caseID)
    }

    private func rows(_ range: Range<Int>, caseID: String) -> SampleBatch {
        var piece = SampleBatch(caseID: caseID, reservingCapacity: range.count)
        for row in range { piece.append(row: row, of: self) }
        return piece
    }
}
