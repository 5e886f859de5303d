import PhysioCore

/// Reads a case's stored samples back as a SampleBatch (sorted by time).
public struct VitalsReader: Sendable {
    public init() {}

    static let columns = "(extract(epoch from ts) * 1000000)::int8, " + Vital.allCases.map(\.name).joined(separator: ", ")

    /// Samples of `caseID` with `from ≤ ts ≤ to` (µs since the epoch).
    public func read(caseID: String, from: Int64, to: Int64, on connection: DatabaseConnection) throws -> SampleBatch {
        let result = try connection.query("""
            SELECT \(Self.columns) FROM vitals
            WHERE case_id = $1 AND ts >= $2::timestamptz AND ts <= $3::timestamptz
            ORDER BY ts
            """, [caseID, Timestamp.format(from), Timestamp.format(to)])
        var batch = SampleBatch(caseID: caseID, reservingCapacity: result.rowCount)
        for row in 0..<result.rowCount {
            let index = batch.appendRow(timestamp: result.int64(row, 0)!)
            for vital in Vital.allCases {
                if let value = result.float(row, 1 + vital.rawValue) { batch.set(vital, row: index, to: value) }
            }
        }
        return batch
    }
}

extension SampleBatch {
    /// Rows with `from ≤ timestamp ≤ to` (the batch is sorted by time).
    public func rows(from: Int64, to: Int64) -> Range<Int> {
        lowerBound(from)..<lowerBound(to &+ 1)
    }

    private func lowerBound(_ timestamp: Int64) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if timestamps[middle] < timestamp { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
