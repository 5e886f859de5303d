import PhysioPlatform

/// A cardiac arrest on an arterial line: the pressures fall past their
/// range at once (25/15 from 110/66) and the ECG or the capnograph shows the
/// circulation stopped. Rule 6 (`ProfoundHypotension`) keeps such readings
/// only after a minute of hypotensive readings, because a line open to air,
/// zeroed or being inserted reads low too (VitalDB case 1's insertion: SBP
/// 15–24 for 34 s); so until 2026-12-06 an arrest was silent for 60 s.
/// A second sign tells the two apart: a removed pressure reading is kept as
/// the patient when it is hypotensive and readable, and so was every pressure
/// reading of the last `seconds`, three readings at least (a record of one
/// row every 10 s takes 20 s), at most `maximumGapSeconds` apart (an
/// arterial line or a record of it, never a cuff's cycle), was past the filter's range (SBP below
/// 40, MAP sent alone below 25: a damped line's 77/75 during a blood sample
/// is no arrest), and in those seconds
///
/// - every ECG reading is no perfusing rhythm: below `heartRateBelow`
///   (asystole, 0 included), above the filter's HR range, or erratic as
///   rule 7 judges it (ventricular fibrillation counted as beats; one
///   diathermy reading of 14 among rates of 46 is not enough); or the ECG
///   sent none in them, having sent three or more in the `seconds` up to
///   its last rate of the `beforeSeconds` before them (a monitor blanks the
///   rate of a rhythm it cannot count; an ECG sent every 15 s is no blank);
/// - or the capnograph's latest reading of the window is at most
///   `capnographyShare` of its highest in the `beforeSeconds` before it, that
///   highest being at least `capnographyFrom` (no flow, no CO2 to the lungs:
///   the sign of a pulseless electrical activity, whose ECG looks normal).
///
/// Such a reading is kept for having lasted: the safety floor raises it at
/// once (10 s after the fall, against 60 s before). A line alone, whose ECG
/// counts a steady rate and whose capnograph is absent or steady, still
/// waits its minute: no pressure alone tells an arrest from a line open to
/// a syringe. Judged from raw samples of the last `lookbackSeconds`, so the
/// one-row form, the series form and the worker agree.
public struct PulselessLine: Codable, Sendable, Equatable {
    public var seconds: Double
    public var maximumGapSeconds: Double
    public var heartRateBelow: Float
    public var capnographyShare: Float
    public var capnographyFrom: Float
    public var beforeSeconds: Double

    public init(seconds: Double = 10, maximumGapSeconds: Double = 15, heartRateBelow: Float = 40,
                capnographyShare: Float = 0.5, capnographyFrom: Float = 20, beforeSeconds: Double = 60) {
        self.seconds = seconds
        self.maximumGapSeconds = maximumGapSeconds
        self.heartRateBelow = heartRateBelow
        self.capnographyShare = capnographyShare
        self.capnographyFrom = capnographyFrom
        self.beforeSeconds = beforeSeconds
        precondition(isValid)
    }

    public static let standard = PulselessLine()

    var isValid: Bool {
        [seconds, maximumGapSeconds, beforeSeconds].allSatisfy { (0.001...600).contains($0) }
            && heartRateBelow.isFinite && (0...1).contains(capnographyShare) && capnographyFrom.isFinite
    }

    /// How far back from a row the judgement reads: a run of three readings
    /// at most `maximumGapSeconds` apart, and the minute before it.
    public var lookbackSeconds: Double { max(seconds, 2 * maximumGapSeconds) + beforeSeconds }

    /// Whether the raw pressures of `row` are an arrest's: a run of `seconds`
    /// on a line with every reading past the range (`isPastRange`), while
    /// every ECG reading of the run is no perfusing rhythm (`isNoRhythm`, or
    /// the rate blanked) or the capnograph's CO2 has halved.
    func holds(_ series: SampleBatch, row: Int, from firstReadable: Int,
               isPastRange: (UnsafeBufferPointer<Float>, Int) -> Bool, isNoRhythm: (Int) -> Bool) -> Bool {
        let run = series.values.withUnsafeBufferPointer { values in
            // Three readings at least: a record of one row every 10 s takes 20 s.
            isPastRange(values, row)
                ? LastingRun.start(series.timestamps, row: row, from: firstReadable, seconds: seconds, maximumGapSeconds: maximumGapSeconds,
                                   minimumReadings: 3, readsOnToMinimum: true,
                                   isReading: { ProfoundHypotension.sendsPressure(values, row: $0) }, holds: { isPastRange(values, $0) })
                : nil
        }
        guard let windowStart = run else { return false }
        let beforeStart = windowStart - Timestamp.micros(seconds: beforeSeconds)
        let heart = readings(.hr, series, row: row, from: firstReadable, windowStart: windowStart, beforeStart: beforeStart)
        // A blank counts only where the ECG sent a rate every few seconds before it, not every 15 s.
        if heart.inWindow.isEmpty ? heart.cadenceBefore >= 3 : heart.inWindow.allSatisfy(isNoRhythm) { return true }
        let airway = readings(.etco2, series, row: row, from: firstReadable, windowStart: windowStart, beforeStart: beforeStart)
        guard let latest = airway.inWindow.first, let highest = airway.highestBefore, highest >= capnographyFrom else { return false }
        return series.values[latest * Vital.count + Vital.etco2.rawValue] <= capnographyShare * highest
    }

    /// The rows of `vital`'s readings (0 or more) in [windowStart, row], latest
    /// first; its highest reading in [beforeStart, windowStart); and how many
    /// readings it sent in the `seconds` up to its last one before windowStart.
    private func readings(_ vital: Vital, _ series: SampleBatch, row: Int, from firstReadable: Int,
                          windowStart: Int64, beforeStart: Int64) -> (inWindow: [Int], highestBefore: Float?, cadenceBefore: Int) {
        var inWindow: [Int] = [], highest: Float?, cadence = 0, cadenceStart: Int64?
        var index = row
        while index >= firstReadable, series.timestamps[index] >= beforeStart {
            let value = series.values[index * Vital.count + vital.rawValue]
            if !value.isNaN, value >= 0 {
                if series.timestamps[index] >= windowStart {
                    inWindow.append(index)
                } else {
                    highest = max(highest ?? value, value)
                    let time = series.timestamps[index]
                    if cadenceStart == nil { cadenceStart = time - Timestamp.micros(seconds: seconds) }
                    if let start = cadenceStart, time >= start { cadence += 1 }
                }
            }
            index -= 1
        }
        return (inWindow, highest, cadence)
    }

    enum CodingKeys: String, CodingKey {
        case seconds, maximumGapSeconds = "maximum_gap_seconds", heartRateBelow = "heart_rate_below"
        case capnographyShare = "capnography_share", capnographyFrom = "capnography_from", beforeSeconds = "before_seconds"
    }

    /// A model file's values are checked, not trusted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seconds = try container.decode(Double.self, forKey: .seconds)
        maximumGapSeconds = try container.decode(Double.self, forKey: .maximumGapSeconds)
        heartRateBelow = try container.decode(Float.self, forKey: .heartRateBelow)
        capnographyShare = try container.decode(Float.self, forKey: .capnographyShare)
        capnographyFrom = try container.decode(Float.self, forKey: .capnographyFrom)
        beforeSeconds = try container.decode(Double.self, forKey: .beforeSeconds)
        guard isValid else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath,
                debugDescription: "pulseless_line needs windows within 10 minutes and a capnography share within 0…1"))
        }
    }
}
