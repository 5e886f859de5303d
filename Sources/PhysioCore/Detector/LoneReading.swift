import PhysioPlatform

/// A cuff's reading beside vitals sent every few seconds: a monitor alarms
/// a non-invasive pressure past its limit as the reading comes, and no
/// later row can confirm it (the next reading is minutes away). The 15 s a
/// breach must otherwise hold (`AlarmPolicy.persistSeconds`) are there for
/// an arterial line's first reading, which may be its connection: a line
/// reads again within a second or two and shows what it was. So a pressure
/// reading stands alone, and its breach is raised, once `waitSeconds` and
/// `rows` rows of other vitals have come after it without a pressure, when
/// no pressure came in the `gapSeconds` before it either (a line, or a
/// gateway sending every few seconds, does not look like a cuff). A reading
/// the artefact filter removed starts nothing.
///
/// Read from the raw rows: a pressure the filter removed was still sent, so
/// a line's flush after its first reading shows it is a line. A worker's
/// series reaches at least `ArtefactFilter.lookbackSeconds` (150 s) before
/// its context, further back than `gapSeconds`, so a job judges a reading
/// as the whole case does.
struct LoneReading {
    static let waitSeconds = 5.0
    static let rows = 2
    static let gapSeconds = 30.0
    static let pressures = [Vital.sbp, .dbp, .mbp]

    /// Per row of `clean` (`series` rows from `contextStart` on): whether the
    /// pressures held there stand on a reading that came alone.
    static func flags(series: SampleBatch, contextStart: Int, clean: SampleBatch) -> [Bool] {
        let wait = Timestamp.micros(seconds: waitSeconds), gap = Timestamp.micros(seconds: gapSeconds)
        func sent(_ batch: SampleBatch, _ row: Int) -> Bool {
            pressures.contains { !batch.values[row * Vital.count + $0.rawValue].isNaN }
        }
        var flags = [Bool](repeating: false, count: clean.count)
        var lastSent = (0..<contextStart).last { sent(series, $0) }.map { series.timestamps[$0] } ?? .min
        var reading: Int?   // the row of `clean` of the latest reading, while it may stand alone
        for row in 0..<clean.count {
            let time = clean.timestamps[row]
            if sent(series, contextStart + row) {
                let alone = lastSent == .min || time - lastSent > gap
                reading = alone && sent(clean, row) ? row : nil
                lastSent = time
            } else if let first = reading, row - first >= rows, time - clean.timestamps[first] >= wait {
                flags[row] = true
            }
        }
        return flags
    }
}
