/// Per-minute means of each vital of one case, as the `vitals_1m` aggregate
/// holds them: sums, counts, lowest and highest of the values as stored
/// (not cleaned), by minute since the Unix epoch. The patient's baseline is read from these,
/// so a worker reads thirty rows of the aggregate instead of thirty minutes
/// of samples, and the offline scorer computes the same numbers from raw rows.
public struct MinuteMeans: Sendable, Equatable {
    /// Minutes since the epoch, ascending.
    public private(set) var minutes: [Int64] = []
    /// `minutes.count × Vital.count`, NaN where the minute has no value of the vital.
    public private(set) var means: [Float] = []
    /// The minute's lowest and highest value of each vital, laid out as `means`:
    /// what shows that an artefact (a flush, a disconnected line) fell in it.
    public private(set) var lows: [Float] = []
    public private(set) var highs: [Float] = []

    public init() {}

    /// From aggregate rows: per minute, per vital (Vital order) sum, count, min and max (NaN: none).
    public init(minutes: [Int64], sums: [Double], counts: [Int64], lows: [Float], highs: [Float]) {
        precondition(sums.count == minutes.count * Vital.count && counts.count == sums.count)
        precondition(lows.count == sums.count && highs.count == sums.count)
        let order = minutes.indices.sorted { minutes[$0] < minutes[$1] }
        for index in order {
            let slice = (index * Vital.count)..<((index + 1) * Vital.count)
            append(minute: minutes[index], sums: sums[slice], counts: counts[slice], lows: lows[slice], highs: highs[slice])
        }
    }

    /// From a case's raw samples (sorted by time), exactly as the aggregate sums them.
    public init(_ series: SampleBatch) {
        var minute = Int64.min
        var sums = [Double](repeating: 0, count: Vital.count), counts = [Int64](repeating: 0, count: Vital.count)
        var lows = [Float](repeating: .nan, count: Vital.count), highs = lows
        for row in 0..<series.count {
            let rowMinute = Self.minute(of: series.timestamps[row])
            if rowMinute != minute {
                if minute != .min { append(minute: minute, sums: sums[...], counts: counts[...], lows: lows[...], highs: highs[...]) }
                minute = rowMinute
                for i in 0..<Vital.count { sums[i] = 0; counts[i] = 0; lows[i] = .nan; highs[i] = .nan }
            }
            for i in 0..<Vital.count {
                let value = series.values[row * Vital.count + i]
                guard !value.isNaN else { continue }
                sums[i] += Double(value)
                counts[i] += 1
                if !(value >= lows[i]) { lows[i] = value }   // NaN compares false: the first value sets both
                if !(value <= highs[i]) { highs[i] = value }
            }
        }
        if minute != .min { append(minute: minute, sums: sums[...], counts: counts[...], lows: lows[...], highs: highs[...]) }
    }

    private mutating func append(minute: Int64, sums: ArraySlice<Double>, counts: ArraySlice<Int64>,
                                 lows: ArraySlice<Float>, highs: ArraySlice<Float>) {
        minutes.append(minute)
        for (sum, count) in zip(sums, counts) { means.append(count > 0 ? Float(sum / Double(count)) : .nan) }
        self.lows += lows
        self.highs += highs
    }

    /// The minute (since the epoch) a time falls in, as `date_trunc('minute', ts)`.
    public static func minute(of micros: Int64) -> Int64 {
        micros >= 0 ? micros / 60_000_000 : (micros - 59_999_999) / 60_000_000
    }

    public func mean(_ vital: Vital, at index: Int) -> Float { means[index * Vital.count + vital.rawValue] }

    /// Whether `mean` (the minute's mean of `vital`, or its estimate) or the
    /// minute's lowest or highest value of it breaches one of `rules`.
    func breaches(_ rules: [ClinicalRule], _ vital: Vital, at index: Int, mean: Float) -> Bool {
        let low = lows[index * Vital.count + vital.rawValue], high = highs[index * Vital.count + vital.rawValue]
        return rules.contains { $0.isTrue(mean) || $0.isTrue(low) || $0.isTrue(high) }   // NaN never fires
    }

    /// Whether every value of `vital` in minute `index` lay in `range` (true when it has none).
    func stayed(_ vital: Vital, at index: Int, in range: ClosedRange<Float>) -> Bool {
        let low = lows[index * Vital.count + vital.rawValue], high = highs[index * Vital.count + vital.rawValue]
        return (low.isNaN || range.contains(low)) && (high.isNaN || range.contains(high))
    }
}

/// The patient's own baseline: the median of the minute means over
/// [now − 35 min, now − 5 min). The last five minutes are left out so a
/// change under way is measured against where the patient was, not folded
/// into the baseline.
/// A minute is skipped for a vital when any of its values there lay outside
/// the artefact filter's plausible range, and for all three pressures when
/// SBP or DBP did (one transducer, as the filter treats it): a flush or a
/// disconnected line pulls a minute's mean by tens of mmHg while staying
/// plausible itself, and its step would widen the wander for half an hour.
/// A minute is skipped for a vital too when its mean, lowest or highest
/// value breaches one of that vital's rules, as the trends leave breach
/// samples out: a cautery spike of HR 232 in a record of one row a minute,
/// or a temperature probe still warming (26.5 °C), is a step of tens that
/// would make a steady vital look ready to cross its limit for half an hour.
/// MAP is estimated from SBP and DBP minute means where the monitor
/// sends none. The same minutes give how far the vital wanders in a minute
/// (root mean square of the changes between consecutive minutes): the
/// spread the breach risk needs, which a 5-minute standard deviation of a
/// calm trace understates.
public struct BaselineWindow: Codable, Sendable, Equatable {
    public var fromMinutesAgo: Int
    public var toMinutesAgo: Int
    /// Fewest minutes with a value for a baseline (and consecutive pairs for a wander).
    public var minimumMinutes: Int

    public init(fromMinutesAgo: Int = 35, toMinutesAgo: Int = 5, minimumMinutes: Int = 5) {
        precondition(fromMinutesAgo > toMinutesAgo && toMinutesAgo >= 0 && minimumMinutes >= 2)
        self.fromMinutesAgo = fromMinutesAgo
        self.toMinutesAgo = toMinutesAgo
        self.minimumMinutes = minimumMinutes
    }

    enum CodingKeys: String, CodingKey {
        case fromMinutesAgo = "from_minutes_ago", toMinutesAgo = "to_minutes_ago", minimumMinutes = "minimum_minutes"
    }

    /// One vital's baseline and minute-to-minute wander (NaN: not enough minutes).
    public struct Baseline: Sendable, Equatable {
        public var level: Float
        public var wander: Float
        static let none = Baseline(level: .nan, wander: .nan)
    }

    /// Baselines of every vital (Vital order) for a row in `minute`.
    public func baselines(at minute: Int64, in means: MinuteMeans, artefacts: ArtefactFilter, rules: ClinicalRules) -> [Baseline] {
        let first = lowerIndex(means.minutes, minute - Int64(fromMinutesAgo))
        let end = lowerIndex(means.minutes, minute - Int64(toMinutesAgo))
        var column: [Float] = []
        column.reserveCapacity(end - first)
        return Vital.allCases.map { vital in
            column.removeAll(keepingCapacity: true)
            let range = artefacts.range(of: vital)
            let own = rules.rules.filter { $0.vital == vital }
            var squares: Double = 0, pairs = 0
            var previous: (minute: Int64, value: Float)?
            for index in first..<end {
                guard artefacts.isPlausible(vital, inMinute: index, of: means) else { continue }
                var value = means.mean(vital, at: index)
                if value.isNaN, vital == .mbp {
                    let systolic = means.mean(.sbp, at: index), diastolic = means.mean(.dbp, at: index)
                    if artefacts.range(of: .sbp).contains(systolic), artefacts.range(of: .dbp).contains(diastolic) {
                        value = MeanArterialPressure.estimate(systolic: systolic, diastolic: diastolic)
                    }
                }
                guard range.contains(value), !means.breaches(own, vital, at: index, mean: value) else { continue }
                column.append(value)
                if let previous, previous.minute == means.minutes[index] - 1 {
                    let step = Double(value - previous.value)
                    squares += step * step
                    pairs += 1
                }
                previous = (means.minutes[index], value)
            }
            guard column.count >= minimumMinutes else { return .none }
            column.sort()
            let middle = column.count / 2
            let level = column.count % 2 == 1 ? column[middle] : (column[middle - 1] + column[middle]) / 2
            let wander = pairs >= minimumMinutes - 1 ? Float((squares / Double(pairs)).squareRoot()) : .nan
            return Baseline(level: level, wander: wander)
        }
    }

    private func lowerIndex(_ minutes: [Int64], _ minute: Int64) -> Int {
        var low = 0, high = minutes.count
        while low < high {
            let middle = (low + high) / 2
            if minutes[middle] < minute { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
