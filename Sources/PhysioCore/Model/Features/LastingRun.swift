import PhysioPlatform

/// The look back that rules 5, 6 and 8 of `ArtefactFilter` share: whether
/// every reading before `row` within the last `seconds` holds, readings no
/// more than `maximumGapSeconds` apart, back to one at least `seconds` old.
/// Rows from `firstReadable` on are read; a row that is no reading (`isReading`
/// false) is passed over. The caller judges `row` itself first; it counts
/// towards `minimumReadings`.
enum LastingRun {
    static func holds(_ times: [Int64], row: Int, from firstReadable: Int, seconds: Double, maximumGapSeconds: Double,
                      minimumReadings: Int = 2, isReading: (Int) -> Bool, holds: (Int) -> Bool) -> Bool {
        start(times, row: row, from: firstReadable, seconds: seconds, maximumGapSeconds: maximumGapSeconds,
              minimumReadings: minimumReadings, isReading: isReading, holds: holds) != nil
    }

    /// When the run that `holds` judges began: the time of its earliest
    /// reading read, or nil. With `readsOnToMinimum`, a run that reaches
    /// `seconds` with fewer than `minimumReadings` reads on until it has them
    /// (rule 8: a record of one row every 10 s takes 20 s).
    static func start(_ times: [Int64], row: Int, from firstReadable: Int, seconds: Double, maximumGapSeconds: Double,
                      minimumReadings: Int = 2, readsOnToMinimum: Bool = false,
                      isReading: (Int) -> Bool, holds: (Int) -> Bool) -> Int64? {
        let since = times[row] - Timestamp.micros(seconds: seconds)
        let gap = Timestamp.micros(seconds: maximumGapSeconds)
        var earliest = times[row]
        var earlier = row - 1
        var readings = 1
        while earlier >= firstReadable {
            if isReading(earlier) {
                let time = times[earlier]
                guard earliest - time <= gap, holds(earlier) else { return nil }
                readings += 1
                earliest = time
                if time <= since, readings >= minimumReadings || !readsOnToMinimum {
                    return readings >= minimumReadings ? earliest : nil
                }
            }
            earlier -= 1
        }
        return nil
    }
}
