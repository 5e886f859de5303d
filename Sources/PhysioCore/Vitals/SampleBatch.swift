/// Samples of one case, row-major: `values[row * Vital.count + vital.rawValue]`,
/// NaN where a vital is missing. One flat buffer so a 10,000-sample request
/// costs three allocations, not thirty thousand.
public struct SampleBatch: Sendable {
    public let caseID: String
    public private(set) var timestamps: [Int64] = []   // microseconds since the Unix epoch
    public private(set) var values: [Float] = []

    public init(caseID: String, reservingCapacity capacity: Int = 0) {
        self.caseID = caseID
        timestamps.reserveCapacity(capacity)
        values.reserveCapacity(capacity * Vital.count)
    }

    public var count: Int { timestamps.count }
    public var isEmpty: Bool { timestamps.isEmpty }

    /// Appends a row of missing values and returns its index.
    @discardableResult
    public mutating func appendRow(timestamp: Int64) -> Int {
        timestamps.append(timestamp)
        values.append(contentsOf: repeatElement(Float.nan, count: Vital.count))
        return timestamps.count - 1
    }

    /// Appends a row with every vital's value (NaN where missing), in Vital order.
    public mutating func appendRow(timestamp: Int64, values row: UnsafeBufferPointer<Float>) {
        precondition(row.count == Vital.count)
        timestamps.append(timestamp)
        values.append(contentsOf: row)
    }

    public mutating func set(_ vital: Vital, row: Int, to value: Float) {
        values[row * Vital.count + vital.rawValue] = value
    }

    public func value(_ vital: Vital, row: Int) -> Float? {
        let value = values[row * Vital.count + vital.rawValue]
        return value.isNaN ? nil : value
    }

    /// Smallest and largest timestamp, or nil when empty.
    public var timeRange: ClosedRange<Int64>? {
        guard let low = timestamps.min(), let high = timestamps.max() else { return nil }
        return low...high
    }
}
