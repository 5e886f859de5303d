import PhysioCore
import PhysioPlatform

/// Puts the selected tracks of a recording on a 1-second grid.
///
/// Grid: second k covers [start + k, start + k + 1) where start is the
/// recording's earliest record time, exactly as
/// `vitaldb.VitalFile.to_pandas(tracks, interval=1)` indexes rows, so
/// `t_seconds` of a converted case equals VitalDB's row index (a record at the
/// very end of the recording falls into the last second, as there). In each
/// second a track contributes its last value (latest time; equal times: the
/// later record in the file). Seconds where no vital has a value are left out.
///
/// Arterial line or cuff, per second: the arterial line's sbp/dbp/mbp are
/// used while the line is reading a pressure — its latest systolic (mean when
/// there is no systolic track) within the last 60 s is above 20 mmHg. Otherwise
/// (no line yet, line removed, closed for more than 60 s, or open to air/being
/// zeroed, which reads ≈ 0 mmHg) the cuff's values are used when the case has a
/// cuff track. A working line is never interleaved with cuff readings, and
/// artefacts of a working line (flush 300/290, spikes) are kept as recorded:
/// the reader converts, it does not clean. A line reading ≈ 0 is kept only
/// when the case has no cuff track at all.
public enum VitalResampler {
    /// Seconds an arterial reading stays current.
    public static let arterialHoldSeconds = 60
    /// At or below this an arterial "pressure" is a transducer open to air.
    public static let arterialZeroThreshold: Float = 20

    public static func resample(_ recording: VitalRecording, selection: VitalTrackSelection, caseID: String) -> VitalCase {
        let start = recording.startTime
        guard start > 0, recording.endTime >= start else {
            return VitalCase(batch: SampleBatch(caseID: caseID), startMicros: 0, selection: selection,
                             isTruncated: recording.isTruncated)
        }
        let seconds = max(1, Int((recording.endTime - start).rounded(.up)))
        func grid(_ tracks: [Vital: VitalTrack]) -> [Vital: [Float]] {
            tracks.compactMapValues { track in
                recording.numeric[track.id].map { lastValuePerSecond($0, start: start, seconds: seconds) }
            }
        }
        let plain = grid(selection.plain)
        let arterial = grid(selection.arterial)
        let cuff = grid(selection.cuff)
        let arterialGuide = arterial[.sbp] ?? arterial[.mbp]
        let pressures: [Vital] = [.sbp, .dbp, .mbp]

        let startMicros = Timestamp.micros(seconds: start)
        var batch = SampleBatch(caseID: caseID, reservingCapacity: seconds)
        var row = [Float](repeating: .nan, count: Vital.count)
        var lastArterialSecond = Int.min / 2
        var lastArterialValue: Float = .nan
        for second in 0..<seconds {
            for index in row.indices { row[index] = .nan }
            for (vital, values) in plain { row[vital.rawValue] = values[second] }
            if let guide = arterialGuide, !guide[second].isNaN {
                lastArterialSecond = second
                lastArterialValue = guide[second]
            }
            let lineReading = second - lastArterialSecond < arterialHoldSeconds && lastArterialValue > arterialZeroThreshold
            let source = (!cuff.isEmpty && !lineReading) ? cuff : arterial
            for vital in pressures { if let values = source[vital] { row[vital.rawValue] = values[second] } }

            guard row.contains(where: { !$0.isNaN }) else { continue }
            let index = batch.appendRow(timestamp: startMicros + Int64(second) * Timestamp.microsPerSecond)
            for vital in Vital.allCases where !row[vital.rawValue].isNaN {
                batch.set(vital, row: index, to: row[vital.rawValue])
            }
        }
        return VitalCase(batch: batch, startMicros: startMicros, selection: selection, isTruncated: recording.isTruncated)
    }

    /// One value per second: the sample with the latest time in that second.
    static func lastValuePerSecond(_ series: VitalSeries, start: Double, seconds: Int) -> [Float] {
        var values = [Float](repeating: .nan, count: seconds)
        var times = [Double](repeating: -.infinity, count: seconds)
        for index in 0..<series.count {
            let time = series.times[index]
            let second = min(max(Int((time - start).rounded(.down)), 0), seconds - 1)
            if time >= times[second] {
                times[second] = time
                values[second] = series.values[index]
            }
        }
        return values
    }
}

/// A `.vital` recording converted to physio's vitals.
public struct VitalCase: Sendable {
    /// Rows on the 1-s grid, timestamps in µs since the Unix epoch.
    public let batch: SampleBatch
    /// The recording's start (its earliest record), µs since the Unix epoch:
    /// pass it as `originMicros` to `CaseCSV.write` for whole `t_seconds`.
    public let startMicros: Int64
    public let selection: VitalTrackSelection
    public let isTruncated: Bool
}
