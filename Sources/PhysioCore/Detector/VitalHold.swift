import PhysioPlatform

/// How long a vital's last clean sample stands for it when no newer one has
/// come: sample and hold, as a monitor's display keeps a cuff reading until
/// the next one. Rules, the safety floor and the breach risk read held
/// values, so a hypotensive cuff reading counts until the cuff says otherwise.
///
/// Continuous signals (ECG heart rate, pulse oximetry, capnography) hold for
/// 30 s: longer than a probe repositioned or a lead moved, short enough that
/// a disconnected sensor soon reads as absent. Pressures and temperature hold
/// for 6 min: the ASA Standards for Basic Anesthetic Monitoring ask for blood
/// pressure at least every 5 minutes, so a cuff cycling at that pace is never
/// "absent" between readings.
public struct VitalHold: Codable, Sendable, Equatable {
    /// Seconds per vital, indexed by `Vital.rawValue`.
    public private(set) var seconds: [Double]

    public init(seconds: [Vital: Double]) {
        self.seconds = Vital.allCases.map { seconds[$0] ?? 30 }
    }

    public static let standard = VitalHold(seconds: [
        .hr: 30, .spo2: 30, .rr: 30, .etco2: 30, .sbp: 360, .dbp: 360, .mbp: 360, .temp: 360,
    ])

    public func seconds(of vital: Vital) -> Double { seconds[vital.rawValue] }

    /// The longest hold: how far back a row's held values may reach.
    public var longestSeconds: Double { seconds.max() ?? 0 }

    /// Held values of rows `rows` of a clean series, row-major as
    /// `SampleBatch.values` (NaN: no sample within the hold). Rows before
    /// `rows` are only read. `ends`, row-major like the series: where a
    /// vital's hold ends without a new sample (a reading the filter removed).
    public func held(_ clean: SampleBatch, rows: Range<Int>, ends: [Bool]? = nil) -> [Float] {
        var out = [Float](repeating: .nan, count: rows.count * Vital.count)
        let holds = seconds.map { Timestamp.micros(seconds: $0) }
        clean.values.withUnsafeBufferPointer { values in
            for vital in 0..<Vital.count {
                var lastTime = Int64.min, lastValue = Float.nan
                // Start from the latest sample before `rows` that can still be held.
                var row = SortedTimes.firstIndex(clean.timestamps, atOrAfter: rows.isEmpty ? 0 : clean.timestamps[rows.lowerBound] - holds[vital],
                                                 in: 0..<rows.lowerBound)
                while row < rows.upperBound {
                    let value = values[row * Vital.count + vital]
                    let time = clean.timestamps[row]
                    if !value.isNaN {
                        lastTime = time; lastValue = value
                    } else if ends?[row * Vital.count + vital] == true {
                        lastTime = .min
                    }
                    if row >= rows.lowerBound, lastTime != .min, time - lastTime <= holds[vital] {
                        out[(row - rows.lowerBound) * Vital.count + vital] = lastValue
                    }
                    row += 1
                }
            }
        }
        return out
    }

    /// A clean series with every row's held values in place of its own.
    public func heldSeries(_ clean: SampleBatch, ends: [Bool]? = nil) -> SampleBatch {
        let values = held(clean, rows: 0..<clean.count, ends: ends)
        var series = SampleBatch(caseID: clean.caseID, reservingCapacity: clean.count)
        values.withUnsafeBufferPointer { buffer in
            for row in 0..<clean.count {
                series.appendRow(timestamp: clean.timestamps[row],
                                 values: UnsafeBufferPointer(rebasing: buffer[(row * Vital.count)..<((row + 1) * Vital.count)]))
            }
        }
        return series
    }
}
