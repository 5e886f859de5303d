/// Prometheus metrics kept in process and rendered in the text exposition
/// format (version 0.0.4). Counters and histograms are created once and
/// then updated lock-cheaply from any thread; gauges are read at scrape time.
public final class MetricsRegistry: @unchecked Sendable {
    public typealias Labels = [(String, String)]

    private enum Kind: String { case counter, gauge, histogram }

    private struct Family {
        let name: String
        let help: String
        let kind: Kind
        var counters: [(labels: Labels, counter: Counter)] = []
        var histograms: [(labels: Labels, histogram: Histogram)] = []
        var gauges: [(labels: Labels, read: @Sendable () -> Double)] = []
    }

    private let lock = Lock()
    private var scrapeHooks: [@Sendable () -> Void] = []
    private var families: [String: Family] = [:]
    private var order: [String] = []

    public init() {}

    /// The counter for `name` and `labels`, created on first use.
    public func counter(_ name: String, help: String, labels: Labels = []) -> Counter {
        lock.withLock {
            var family = family(name, help: help, kind: .counter)
            if let existing = family.counters.first(where: { Self.same($0.labels, labels) }) { return existing.counter }
            let counter = Counter()
            family.counters.append((labels, counter))
            families[name] = family
            return counter
        }
    }

    public func histogram(_ name: String, help: String, labels: Labels = [], buckets: [Double]) -> Histogram {
        lock.withLock {
            var family = family(name, help: help, kind: .histogram)
            if let existing = family.histograms.first(where: { Self.same($0.labels, labels) }) { return existing.histogram }
            let histogram = Histogram(buckets: buckets)
            family.histograms.append((labels, histogram))
            families[name] = family
            return histogram
        }
    }

    /// A value read when metrics are scraped (queue depth, connections…).
    public func gauge(_ name: String, help: String, labels: Labels = [], read: @escaping @Sendable () -> Double) {
        observe(name, help: help, kind: .gauge, labels: labels, read: read)
    }

    /// A total kept elsewhere (e.g. by the ingest writers), read at scrape time.
    public func counter(_ name: String, help: String, labels: Labels = [], read: @escaping @Sendable () -> Double) {
        observe(name, help: help, kind: .counter, labels: labels, read: read)
    }

    /// Runs before every render, e.g. to fetch several gauges in one query.
    public func onScrape(_ hook: @escaping @Sendable () -> Void) {
        lock.withLock { scrapeHooks.append(hook) }
    }

    private func observe(_ name: String, help: String, kind: Kind, labels: Labels, read: @escaping @Sendable () -> Double) {
        lock.withLock {
            var family = family(name, help: help, kind: kind)
            family.gauges.removeAll { Self.same($0.labels, labels) }
            family.gauges.append((labels, read))
            families[name] = family
        }
    }

    public func render() -> String {
        lock.withLock { scrapeHooks }.forEach { $0() }
        let snapshot: [Family] = lock.withLock { order.compactMap { families[$0] } }
        var out = ""
        for family in snapshot {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.kind.rawValue)\n"
            for (labels, counter) in family.counters {
                out += "\(family.name)\(Self.format(labels)) \(Self.number(counter.value))\n"
            }
            for (labels, read) in family.gauges {
                out += "\(family.name)\(Self.format(labels)) \(Self.number(read()))\n"
            }
            for (labels, histogram) in family.histograms {
                let snapshot = histogram.snapshot()
                var cumulative: UInt64 = 0
                for (index, bound) in histogram.buckets.enumerated() {
                    cumulative += snapshot.counts[index]
                    out += "\(family.name)_bucket\(Self.format(labels + [("le", Self.number(bound))])) \(cumulative)\n"
                }
                cumulative += snapshot.counts[histogram.buckets.count]
                out += "\(family.name)_bucket\(Self.format(labels + [("le", "+Inf")])) \(cumulative)\n"
                out += "\(family.name)_sum\(Self.format(labels)) \(Self.number(snapshot.sum))\n"
                out += "\(family.name)_count\(Self.format(labels)) \(cumulative)\n"
            }
        }
        return out
    }

    private func family(_ name: String, help: String, kind: Kind) -> Family {
        if let existing = families[name] {
            precondition(existing.kind == kind, "metric \(name) registered as \(existing.kind.rawValue)")
            return existing
        }
        order.append(name)
        return Family(name: name, help: help, kind: kind)
    }

    private static func same(_ a: Labels, _ b: Labels) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    private static func format(_ labels: Labels) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { name, value in
            var escaped = ""
            for character in value {
                switch character {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.append(character)
                }
            }
            return "\(name)=\"\(escaped)\""
        }.joined(separator: ",") + "}"
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

public final class Counter: @unchecked Sendable {
    private let lock = Lock()
    private var total = 0.0

    public func add(_ amount: Double = 1) { lock.withLock { total += amount } }
    public func add(_ amount: Int) { add(Double(amount)) }
    public var value: Double { lock.withLock { total } }
}

public final class Histogram: @unchecked Sendable {
    public let buckets: [Double]
    private let lock = Lock()
    private var counts: [UInt64]
    private var sum = 0.0

    init(buckets: [Double]) {
        self.buckets = buckets.sorted()
        counts = [UInt64](repeating: 0, count: buckets.count + 1)
    }

    public func observe(_ value: Double) {
        var index = 0
        while index < buckets.count && value > buckets[index] { index += 1 }
        lock.withLock {
            counts[index] += 1
            sum += value
        }
    }

    func snapshot() -> (counts: [UInt64], sum: Double) { lock.withLock { (counts, sum) } }

    /// Seconds from 0.5 ms to 10 s: request and scoring latencies.
    public static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
}
