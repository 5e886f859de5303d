/// Latencies in microseconds, bucketed log-linearly (≤ 3 % error), so a
/// million requests cost a few kilobytes and percentiles merge across threads.
public struct LatencyHistogram: Sendable {
    private var counts = [UInt64](repeating: 0, count: 64 + 58 * 32)
    public private(set) var total: UInt64 = 0
    public private(set) var maxMicros: Int64 = 0

    public init() {}

    public mutating func record(micros: Int64) {
        let value = max(0, micros)
        counts[Self.index(value)] += 1
        total += 1
        maxMicros = max(maxMicros, value)
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for i in counts.indices { counts[i] += other.counts[i] }
        total += other.total
        maxMicros = max(maxMicros, other.maxMicros)
    }

    /// The value below which `fraction` of the recordings fall (upper bucket edge).
    public func percentile(_ fraction: Double) -> Double {
        guard total > 0 else { return 0 }
        let target = UInt64((Double(total) * fraction).rounded(.up))
        var seen: UInt64 = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= max(1, target) { return Double(min(Self.upperEdge(index), maxMicros)) }
        }
        return Double(maxMicros)
    }

    /// Values below 64 get a bucket each; above, 32 buckets per power of two.
    static func index(_ value: Int64) -> Int {
        if value < 64 { return Int(value) }
        let magnitude = 63 - value.leadingZeroBitCount    // ≥ 6
        let mantissa = Int(value >> Int64(magnitude - 5))  // 32…63
        return 64 + (magnitude - 6) * 32 + (mantissa - 32)
    }

    static func upperEdge(_ index: Int) -> Int64 {
        if index < 64 { return Int64(index) }
        let magnitude = 6 + (index - 64) / 32
        let mantissa = Int64(32 + (index - 64) % 32)
        return ((mantissa + 1) << Int64(magnitude - 5)) - 1
    }
}
