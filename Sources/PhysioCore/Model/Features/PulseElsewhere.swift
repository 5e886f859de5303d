import PhysioPlatform

/// Another sensor that still reads a pulse: the blood still flows, whatever
/// one sensor says. At the end of a case the ECG leads come off (some
/// monitors then send HR 0), the capnograph reads 0 once the tube is out and
/// the arterial line is pulled, often within a minute of each other, while
/// the oximeter and the line go on reading a perfused patient; read alone,
/// each looks like an arrest (a sixth outside audit, 2026-12-07).
///
/// - The oximeter reads a pulse while it sends a plausible saturation: an
///   oximeter that loses the pulse (an arrest) blanks its reading within
///   seconds. One that goes on sending its last value regardless cannot be
///   told from a perfused patient; an arrest it hides still alarms on the
///   ECG's rate, the pressures' minute, or the oximeter's own blank.
/// - An arterial line reads a pulse while it sends plausible systolic and
///   diastolic pressures that rule 2 does not take for a flat trace or the
///   flush (`ArtefactFilter.isFlatOrFlush`): the trace of a beating heart.
///   A line falls flat within seconds of an arrest.
struct PulseElsewhere {
    let filter: ArtefactFilter
    /// How far back a reading counts: a sensor's last few seconds.
    let seconds: Double

    /// Whether the oximeter sent a plausible saturation in the `seconds` up to `row`, reading rows from `firstReadable` on.
    func oximeterReads(_ series: SampleBatch, row: Int, from firstReadable: Int) -> Bool {
        let spo2 = filter.range(of: .spo2), column = Vital.spo2.rawValue
        return any(series, row: row, from: firstReadable) { spo2.contains($0[$1 * Vital.count + column]) }
    }

    /// Whether an arterial line sent a pulsatile plausible pressure in the `seconds` up to `row`.
    func lineReadsPulse(_ series: SampleBatch, row: Int, from firstReadable: Int) -> Bool {
        let systolicRange = filter.range(of: .sbp), diastolicRange = filter.range(of: .dbp)
        return any(series, row: row, from: firstReadable) { values, row in
            let systolic = values[row * Vital.count + Vital.sbp.rawValue], diastolic = values[row * Vital.count + Vital.dbp.rawValue]
            return systolicRange.contains(systolic) && diastolicRange.contains(diastolic)
                && !filter.isFlatOrFlush(systolic: systolic, diastolic: diastolic)
        }
    }

    private func any(_ series: SampleBatch, row: Int, from firstReadable: Int, _ reads: (UnsafeBufferPointer<Float>, Int) -> Bool) -> Bool {
        let since = series.timestamps[row] - Timestamp.micros(seconds: seconds)
        return series.values.withUnsafeBufferPointer { values in
            var index = row
            while index >= firstReadable, series.timestamps[index] >= since {
                if reads(values, index) { return true }
                index -= 1
            }
            return false
        }
    }
}
