import PhysioCore

/// The early-warning task on one case. A row counts when it is evaluated,
/// not in alarm (outside every rule episode) and its whole horizon was
/// observed (a negative needs the next 5 minutes seen). Its label is true
/// when a breach onset falls in (t, t + horizon]. Rows whose horizon holds
/// only an `ignored` onset (a breach that is not a target, e.g. one no
/// labelled event explains) are left out rather than called negative.
struct EarlyWarningRows {
    let rows: [Int]
    let labels: [Bool]

    init(timestamps: [Int64], evaluated: Range<Int>, inAlarm: [Bool], onsets: [Int64], ignored: [Int64] = [],
         horizon: Int64) {
        var rows: [Int] = [], labels: [Bool] = []
        guard let lastRow = evaluated.last else { self.rows = []; self.labels = []; return }
        let last = timestamps[lastRow]
        let onsets = onsets.sorted(), ignored = ignored.sorted()
        var nextOnset = 0, nextIgnored = 0
        for row in evaluated where !inAlarm[row] {
            let time = timestamps[row]
            guard time + horizon <= last else { break }
            while nextOnset < onsets.count, onsets[nextOnset] <= time { nextOnset += 1 }
            while nextIgnored < ignored.count, ignored[nextIgnored] <= time { nextIgnored += 1 }
            let positive = nextOnset < onsets.count && onsets[nextOnset] <= time + horizon
            if !positive, nextIgnored < ignored.count, ignored[nextIgnored] <= time + horizon { continue }
            rows.append(row)
            labels.append(positive)
        }
        self.rows = rows
        self.labels = labels
    }
}

/// How long before a breach the model warned. For a breach onset o, the
/// lead time is o − t, where t is the first detector alarm in
/// [o − horizon, o) at a sample not in alarm; no such alarm means the
/// breach was not warned of. Only onsets with the whole horizon
/// before them evaluated are counted.
enum LeadTime {
    /// Seconds of warning per counted onset (nil = not warned), in onset order.
    static func leads(_ scores: CaseScores, inAlarm: [Bool], onsets: [Int64], horizon: Int64) -> [Double?] {
        guard let firstRow = scores.evaluated.first else { return [] }
        let first = scores.timestamps[firstRow]
        return onsets.sorted().filter { $0 - horizon >= first }.map { onset in
            var row = SortedTimes.firstIndex(scores.timestamps, atOrAfter: onset - horizon, in: scores.evaluated)
            while row < scores.evaluated.upperBound, scores.timestamps[row] < onset {
                if !inAlarm[row] && scores.alarm(row: row) { return Double(onset - scores.timestamps[row]) / 1e6 }
                row += 1
            }
            return nil
        }
    }
}

extension Evaluation {
    /// The early-warning label of each evaluated row of a case (nil: not an
    /// early-warning sample, or the case is too sparse), as the evaluation uses them.
    public static func earlyWarningLabels(_ scores: CaseScores, settings: EvaluationSettings = .init()) -> [Bool?] {
        var labels = [Bool?](repeating: nil, count: scores.evaluated.count)
        let spacing = SortedTimes.medianSpacingSeconds(scores.timestamps, in: scores.evaluated)
        guard let spacing, spacing <= settings.maximumSpacingSeconds else { return labels }
        let rules = RuleTimeline(scores, settings: settings)
        let rows = EarlyWarningRows(timestamps: scores.timestamps, evaluated: scores.evaluated, inAlarm: rules.inAlarm,
                                    onsets: rules.sustainedOnsets, horizon: settings.horizonMicros)
        for (row, label) in zip(rows.rows, rows.labels) { labels[row - scores.evaluated.lowerBound] = label }
        return labels
    }
}
