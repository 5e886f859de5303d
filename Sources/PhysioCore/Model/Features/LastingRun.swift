import PhysioPlatform

/// The look back that rules 5 and 6 of `ArtefactFilter` share: whether
/// every reading before `row` within the last `seconds` holds, readings no
/// more than `maximumGapSeconds` apart, back to one at least `seconds` old.
/// Rows from `firstReadable` on are read; a row that is no reading (`isReading`
/// false) is passed over. The caller judges `row` itself first; it counts
/// towards `minimumReadings`.
enum LastingRun {
    static func holds(_ times: [Int64], row: Int, from firstReadable: Int, seconds: Double, maximumGapSeconds: Double,
                      minimumReadings: Int = 2, isReading: (Int) -> Bool, holds: (Int) -> Bool) -> Bool {
        let since = times[row] - Timestamp.micros(seconds: seconds)
        let gap = Timestamp.micros(seconds: maximumGapSeconds)
        var later = times[row]
        var earlier = row - 1
        var readings = 1
        while earlier >= firstReadable {
            if isReading(earlier) {
                let time = times[earlier]
                guard later - time <= gap, holds(earlier) else { return false }
                readings += 1
                if time <= since { return readings >= minimumReadings }
                later = time
            }
            earlier -= 1
        }
        return false
    }
}
