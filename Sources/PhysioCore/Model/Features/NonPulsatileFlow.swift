import PhysioPlatform

/// A flat arterial trace at a plausible pressure that lasts while nothing
/// else shows a pulse: non-pulsatile flow, the patient's pressure. On
/// cardiopulmonary bypass the pump gives a mean of 50–90 mmHg with a pulse
/// pressure of 2–4; a continuous-flow ventricular assist device gives a
/// near-flat trace too. Rule 2 of `ArtefactFilter` removes a flat trace
/// (pulse pressure below its minimum) as zeroing or a closed line, so the
/// pump's pressure never reached the score, and a pump failure to MAP 35 was
/// raised only once the systolic fell below 80 and had stayed there a
/// minute (an eleventh outside audit, 2026-12-07: 51 s after the first
/// MAP < 65).
///
/// A flat, plausible row is kept when every pressure reading of the last
/// `seconds` was flat and plausible too (readings at most
/// `maximumGapSeconds` apart) and the oximeter sent no plausible saturation
/// in the last `oximeterSeconds`: an oximeter needs a pulse, and on bypass
/// it blanks. A clotted or kinked line also reads flat at a plausible
/// pressure, but beside a patient whose oximeter still reads: removed, as
/// before. Zeroing reads 0 and a line open to air reads below the range, so
/// neither makes a run. Judged from raw samples of the last
/// `lookbackSeconds`, so the one-row form, the series form and the worker agree.
public struct NonPulsatileFlow: Codable, Sendable, Equatable {
    public var seconds: Double
    public var maximumGapSeconds: Double
    public var oximeterSeconds: Double

    public init(seconds: Double = 60, maximumGapSeconds: Double = 15, oximeterSeconds: Double = 30) {
        self.seconds = seconds
        self.maximumGapSeconds = maximumGapSeconds
        self.oximeterSeconds = oximeterSeconds
        precondition(isValid)
    }

    public static let standard = NonPulsatileFlow()

    var isValid: Bool { [seconds, maximumGapSeconds, oximeterSeconds].allSatisfy { (0...3600).contains($0) } }

    /// How far back from a row the judgement reads.
    public var lookbackSeconds: Double { max(seconds + maximumGapSeconds, oximeterSeconds) }

    /// Whether `row`'s pressures are non-pulsatile flow, reading rows from `firstReadable` on.
    func holds(_ series: SampleBatch, row: Int, from firstReadable: Int, filter: ArtefactFilter) -> Bool {
        let lasted = series.values.withUnsafeBufferPointer { values in
            isFlat(values, row: row, filter: filter)
                && LastingRun.holds(series.timestamps, row: row, from: firstReadable, seconds: seconds,
                                    maximumGapSeconds: maximumGapSeconds,
                                    isReading: { ProfoundHypotension.sendsPressure(values, row: $0) },
                                    holds: { isFlat(values, row: $0, filter: filter) })
        }
        return lasted && !PulseElsewhere(filter: filter, seconds: oximeterSeconds).oximeterReads(series, row: row, from: firstReadable)
    }

    /// Systolic and diastolic plausible, less than the minimum pulse pressure
    /// apart (systolic not below diastolic), not the flush; a mean, if sent,
    /// plausible and within a few mmHg of them.
    private func isFlat(_ values: UnsafeBufferPointer<Float>, row: Int, filter: ArtefactFilter) -> Bool {
        let base = row * Vital.count
        let systolic = values[base + Vital.sbp.rawValue], diastolic = values[base + Vital.dbp.rawValue]
        let mean = values[base + Vital.mbp.rawValue]
        guard filter.range(of: .sbp).contains(systolic), filter.range(of: .dbp).contains(diastolic),
              systolic >= diastolic, systolic - diastolic < filter.minimumPulsePressure, systolic < filter.flushSystolic else { return false }
        return mean.isNaN || (filter.range(of: .mbp).contains(mean) && mean >= diastolic - 2 && mean <= systolic + 2)
    }

    enum CodingKeys: String, CodingKey {
        case seconds, maximumGapSeconds = "maximum_gap_seconds", oximeterSeconds = "oximeter_seconds"
    }

    /// A model file's values are checked, not trusted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seconds = try container.decode(Double.self, forKey: .seconds)
        maximumGapSeconds = try container.decode(Double.self, forKey: .maximumGapSeconds)
        oximeterSeconds = try container.decode(Double.self, forKey: .oximeterSeconds)
        guard isValid else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath,
                debugDescription: "non_pulsatile_flow needs seconds within an hour"))
        }
    }
}
