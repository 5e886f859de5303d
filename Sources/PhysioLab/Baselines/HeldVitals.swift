import PhysioCore
import PhysioPlatform

/// Each vital's most recent clean value, per row, no older than a hold:
/// what a monitor's display shows (an NIBP reading stays up until the next
/// cycle). Causal: a row sees only itself and earlier rows.
struct HeldVitals {
    /// Ten minutes: two NIBP cycles at the usual 3–5-min interval, so one
    /// missed cuff reading does not blank the pressure.
    static let holdSeconds = 600.0

    /// Row-major like `SampleBatch.values`, rows `rows` only; NaN where no value is held.
    private let values: [Float]
    private let first: Int

    /// Rows `rows` of `clean` (artefact-cleaned); earlier rows only feed the hold.
    init(_ clean: SampleBatch, rows: Range<Int>, holdSeconds: Double = HeldVitals.holdSeconds) {
        let hold = Timestamp.micros(seconds: holdSeconds)
        var lastValue = [Float](repeating: .nan, count: Vital.count)
        var lastTime = [Int64](repeating: .min, count: Vital.count)
        var values = [Float](repeating: .nan, count: rows.count * Vital.count)
        let start = Self.firstRow(clean.timestamps, within: hold, before: rows)
        for row in start..<rows.upperBound {
            let time = clean.timestamps[row]
            for vital in 0..<Vital.count {
                let value = clean.values[row * Vital.count + vital]
                if !value.isNaN { lastValue[vital] = value; lastTime[vital] = time }
                if row >= rows.lowerBound, lastTime[vital] != .min, time - lastTime[vital] <= hold {
                    values[(row - rows.lowerBound) * Vital.count + vital] = lastValue[vital]
                }
            }
        }
        self.values = values
        first = rows.lowerBound
    }

    /// The held value of `vital` at `row` (a row of `rows`), or nil.
    func value(_ vital: Vital, row: Int) -> Float? {
        let value = values[(row - first) * Vital.count + vital.rawValue]
        return value.isNaN ? nil : value
    }

    /// The earliest row whose value can still be held at the first of `rows`.
    private static func firstRow(_ times: [Int64], within hold: Int64, before rows: Range<Int>) -> Int {
        guard rows.lowerBound < times.count else { return rows.lowerBound }
        return SortedTimes.firstIndex(times, atOrAfter: times[rows.lowerBound] - hold, in: 0..<rows.lowerBound)
    }
}
