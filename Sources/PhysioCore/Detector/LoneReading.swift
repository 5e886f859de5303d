import PhysioPlatform

/// A cuff's reading beside vitals sent every few seconds: a monitor alarms
/// a non-invasive pressure past its limit as the reading comes, and no
/// later row can confirm it (the next reading is minutes away). The 15 s a
/// breach must otherwise hold (`AlarmPolicy.persistSeconds`) are there for
/// an arterial line's first reading, which may be its connection: a line
/// reads again within seconds and shows what it was. So a cuff's next
/// reading (the pressure reading before it came a cuff's cycle earlier,
/// `ProfoundHypotension.followsCuffReading`) stands alone, and its breach
/// is raised, once `waitSeconds` and `rows` rows of other vitals have come
/// after it without a pressure. A reading the artefact filter removed
/// starts nothing. A case's first reading, or one after more than a cycle
/// without any, may be a line's first and waits the 15 s: a line sending
/// every 15 s beside faster vitals looks like a cuff until its second.
///
/// Read from the raw rows: a pressure the filter removed was still sent, so
/// a line's flush after its first reading shows it is a line. The worker
/// reads the pressure reading a cycle back apart, as the filter needs it
/// too, so a job judges a reading as the whole case does.
struct LoneReading {
    static let waitSeconds = 5.0
    static let rows = 2
    static let pressures = [Vital.sbp, .dbp, .mbp]

    /// Per row of `clean` (`series` rows from `contextStart` on): whether the
    /// pressures held there stand on a cuff's reading that came alone.
    static func flags(series: SampleBatch, contextStart: Int, clean: SampleBatch, cuff: ProfoundHypotension) -> [Bool] {
        let wait = Timestamp.micros(seconds: waitSeconds)
        var flags = [Bool](repeating: false, count: clean.count)
        var reading: Int?   // the row of `clean` of the latest pressure reading, while it may stand alone
        series.values.withUnsafeBufferPointer { raw in
            clean.values.withUnsafeBufferPointer { cleaned in
                for row in 0..<clean.count {
                    if ProfoundHypotension.sendsPressure(raw, row: contextStart + row) {
                        let cuffs = ProfoundHypotension.sendsPressure(cleaned, row: row)
                            && cuff.followsCuffReading(raw, series.timestamps, row: contextStart + row)
                        reading = cuffs ? row : nil
                    } else if let first = reading, row - first >= rows, clean.timestamps[row] - clean.timestamps[first] >= wait {
                        flags[row] = true
                    }
                }
            }
        }
        return flags
    }
}
