import PhysioPlatform

/// When scores become alarms. Three parts:
///
/// - **Persistence.** A score at or above `threshold` alarms once it has
///   stayed there for `persistSeconds` over `persistRows` rows, or over two
///   rows a minute or more apart (two cuff readings in a row count however
///   far apart); rows past a limit (score 1: a reading, not a forecast) need
///   only the seconds. Rows, not only seconds, so that a record of one row
///   every 15 s is not warned on two readings where one of a row a second
///   needs sixteen: the same patient would alarm more the slower the
///   record. One noisy sample opens
///   nothing; HPI likewise alerts after two values above its limit, and
///   pulse oximeters delay desaturation alarms for the same reason. A high
///   threshold held briefly beats a lower one held long: the breach risk
///   climbs steeply in the last minute before a breach, and a long wait
///   there loses warnings while noise still crosses a low threshold
///   (docs/detector.md, "Alarm policy").
/// - **Hold.** An alarm stays on for `holdSeconds` after the last confirmed
///   score, so a trace wavering around the threshold is one episode, not many.
/// - **Safety floor.** A clinical-rule breach that lasts `floorSustainSeconds`
///   (rule-true rows no more than `floorGapSeconds` apart, or consecutive
///   rows of a record sent at a slower pace, as episodes join them; but not
///   across more than `floorReturnRows` rows back inside every limit for
///   more than `floorReturnSeconds`: isolated readings past a limit, an
///   irregular rhythm's beats past 140, are no breach of a minute; a breach
///   lasts until the row after its last rule-true row) alarms from its first row,
///   whatever the score: no feature, threshold or missing vital can silence it.
///   So does a breach confirmed as it comes: holding a value the artefact
///   filter keeps only once it has lasted (asystole, apnoea, SpO2 below 50 %,
///   profound hypotension), whose persistence was judged when it was kept,
///   or a cuff's lone reading (`LoneReading`); and one reaching a row of a
///   record whose rows come at least the sustain time apart (a cuff alone, a
///   record of one row a minute), which stands for its whole interval: no
///   row in between can show more, and a monitor alarms at such a reading.
public struct AlarmPolicy: Codable, Sendable, Equatable {
    public var threshold: Double
    public var persistSeconds: Double
    /// Fewest rows over which a warning must hold, unless they span the floor's sustain time.
    public var persistRows: Int
    public var holdSeconds: Double
    public var floorSustainSeconds: Double
    public var floorGapSeconds: Double
    /// How long, and over how many rows, the readings may come back inside
    /// every limit between two rule-true rows that still make one breach.
    public var floorReturnSeconds: Double
    public var floorReturnRows: Int
    /// Deeper limits of the clinical rules that raise an alarm of their own
    /// inside an episode (`ruleRaisedTimes`): a breach that deepens is a new
    /// alarm, as a monitor's high-priority tier is. Alarms only: they move no
    /// score, label or episode. Each lies inside a rule of the model, so a
    /// row where one is true has a rule true too.
    public var escalations: [ClinicalRule]

    /// SpO2 < 80 %: the Philips IntelliVue "Desat" alarm, a high-priority
    /// tier 10 below the usual low limit of 90; MAP < 55 mmHg: where Walsh et
    /// al. (Anesthesiology 2013;119:507) found the risk of kidney and
    /// myocardial injury rising after even a minute or two.
    public static let standardEscalations = [
        ClinicalRule(.spo2, .lessThan, 80, source: "Philips IntelliVue Desat alarm: 10 below the SpO2 low limit of 90, high priority"),
        ClinicalRule(.mbp, .lessThan, 55, source: "Walsh et al., Anesthesiology 2013;119:507: injury risk rises after 1-5 min below 55"),
    ]

    public init(threshold: Double = 0.9, persistSeconds: Double = 15, persistRows: Int = 3, holdSeconds: Double = 120,
                floorSustainSeconds: Double = 60, floorGapSeconds: Double = 30,
                floorReturnSeconds: Double = 10, floorReturnRows: Int = 2, escalations: [ClinicalRule] = AlarmPolicy.standardEscalations) {
        precondition(persistSeconds >= 0 && persistRows >= 1 && holdSeconds >= 0 && floorSustainSeconds >= 0 && floorGapSeconds >= 0
                     && floorReturnSeconds >= 0 && floorReturnRows >= 0)
        self.threshold = threshold
        self.persistSeconds = persistSeconds
        self.persistRows = persistRows
        self.holdSeconds = holdSeconds
        self.floorSustainSeconds = floorSustainSeconds
        self.floorGapSeconds = floorGapSeconds
        self.floorReturnSeconds = floorReturnSeconds
        self.floorReturnRows = floorReturnRows
        self.escalations = escalations
    }

    enum CodingKeys: String, CodingKey {
        case threshold, persistSeconds = "persist_seconds", persistRows = "persist_rows", holdSeconds = "hold_seconds"
        case floorSustainSeconds = "floor_sustain_seconds", floorGapSeconds = "floor_gap_seconds"
        case floorReturnSeconds = "floor_return_seconds", floorReturnRows = "floor_return_rows", escalations
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(threshold: try container.decode(Double.self, forKey: .threshold),
                  persistSeconds: try container.decode(Double.self, forKey: .persistSeconds),
                  // A model trained before rows counted gets the rule too: it is a fix, not a setting it chose.
                  persistRows: try container.decodeIfPresent(Int.self, forKey: .persistRows) ?? 3,
                  holdSeconds: try container.decode(Double.self, forKey: .holdSeconds),
                  floorSustainSeconds: try container.decode(Double.self, forKey: .floorSustainSeconds),
                  floorGapSeconds: try container.decode(Double.self, forKey: .floorGapSeconds),
                  // Models written before returns ended a breach get the rule too: a fix, not a setting.
                  floorReturnSeconds: try container.decodeIfPresent(Double.self, forKey: .floorReturnSeconds) ?? 10,
                  floorReturnRows: try container.decodeIfPresent(Int.self, forKey: .floorReturnRows) ?? 2,
                // Older models get the standard tiers: alarms of their own, no score changes.
                escalations: try container.decodeIfPresent([ClinicalRule].self, forKey: .escalations) ?? AlarmPolicy.standardEscalations)
    }

    /// How far back the policy looks from a row: scores for persistence (up
    /// to the two rows a minute apart that confirm as three rows do) and hold.
    public var scoreLookbackSeconds: Double { max(persistSeconds, floorSustainSeconds) + holdSeconds }

    /// Model alarms of each row, from scores in time order (earlier rows as context).
    public func modelAlarms(times: [Int64], scores: [Double]) -> [Bool] {
        let persist = Timestamp.micros(seconds: persistSeconds), hold = Timestamp.micros(seconds: holdSeconds)
        let twoReadings = Timestamp.micros(seconds: floorSustainSeconds)
        var alarms = [Bool](repeating: false, count: times.count)
        var runStart = Int64.min, runRows = 0, breachStart = Int64.min, lastConfirmed = Int64.min
        for i in times.indices {
            if scores[i] >= threshold {
                if runStart == .min { runStart = times[i]; runRows = 0 }
                runRows += 1
                if scores[i] >= 1 { if breachStart == .min { breachStart = times[i] } } else { breachStart = .min }
                let held = times[i] - runStart
                if held >= persist && (runRows >= persistRows || held >= twoReadings)
                    || breachStart != .min && times[i] - breachStart >= persist { lastConfirmed = times[i] }
            } else {
                runStart = .min
                breachStart = .min
            }
            alarms[i] = lastConfirmed != .min && times[i] - lastConfirmed <= hold
        }
        return alarms
    }

    /// The rows of a case before and around `times`, for judging its pace:
    /// `times` are `all[offset...]` (the scorer's context rows among every
    /// row it read).
    public struct Pace {
        let all: [Int64]
        let offset: Int

        public init(all: [Int64], offset: Int) { self.all = all; self.offset = offset }

        /// `EpisodeBuilder.rowBefore` of context row `row`, judged from every row read.
        public func rowBefore(_ row: Int) -> Int64? { EpisodeBuilder.rowBefore(all, row: offset + row) }
    }

    /// Breaches: runs of rule-true rows (gaps up to `floorGapSeconds` with at
    /// most `floorReturnRows` rows, or `floorReturnSeconds`, back inside the
    /// limits between them; or consecutive rows of the case's own pace:
    /// `EpisodeBuilder.rowBefore`), as (first row, last rule-true row,
    /// duration µs). A breach lasts until the row after its last rule-true
    /// row, or to that row when none follows yet.
    public func breaches(times: [Int64], ruleTrue: [Bool], pace: Pace? = nil) -> [(first: Int, last: Int, duration: Int64)] {
        let pace = pace ?? Pace(all: times, offset: 0)
        let gap = Timestamp.micros(seconds: floorGapSeconds), returned = Timestamp.micros(seconds: floorReturnSeconds)
        // Rows between two rule-true rows are all back inside the limits (held values: a missing reading holds the last).
        func joins(_ last: Int, _ i: Int) -> Bool {
            times[i] - times[last] <= gap && (i - last - 1 <= floorReturnRows || times[i] - times[last + 1] <= returned)
                || (last == i - 1 && pace.rowBefore(i) != nil)
        }
        var runs: [(first: Int, last: Int, duration: Int64)] = []
        var first = -1, last = -1
        func close() {
            guard first >= 0 else { return }
            let end = last + 1 < times.count ? times[last + 1] : times[last]
            runs.append((first, last, end - times[first]))
        }
        for i in times.indices where ruleTrue[i] {
            if first >= 0, joins(last, i) {
                last = i
            } else {
                close()
                first = i; last = i
            }
        }
        close()
        return runs
    }

    /// Rows the safety floor alarms: every row of a breach lasting at least the
    /// sustain time, holding a row of `confirmed` (a value kept because it lasted, a cuff's lone reading)
    /// or a row of a slow record (`isSlowRecordRow`).
    public func floorAlarms(times: [Int64], ruleTrue: [Bool], confirmed: [Bool]? = nil) -> [Bool] {
        floorRaisedTimes(times: times, ruleTrue: ruleTrue, confirmed: confirmed).map { $0 != nil }
    }

    /// For each row the safety floor alarms, when the floor could first raise
    /// its breach: the first row by which it had lasted the sustain time (the
    /// row after it counts: it shows the breach went on), its first `confirmed`
    /// row, or its first row of a slow record (`isSlowRecordRow`), whichever is
    /// earliest; nil for rows it does not alarm. The rows before that time are
    /// alarmed back-dated.
    public func floorRaisedTimes(times: [Int64], ruleTrue: [Bool], confirmed: [Bool]? = nil, pace: Pace? = nil) -> [Int64?] {
        let sustain = Timestamp.micros(seconds: floorSustainSeconds)
        let pace = pace ?? Pace(all: times, offset: 0)
        var raised = [Int64?](repeating: nil, count: times.count)
        for run in breaches(times: times, ruleTrue: ruleTrue, pace: pace) {
            let confirmedAt = confirmed.flatMap { flags in (run.first...run.last).first { flags[$0] } }.map { times[$0] }
            let slowAt = (run.first...run.last).first { isSlowRecordRow(pace.all, row: pace.offset + $0) }.map { times[$0] }
            let through = min(run.last + 1, times.count - 1)
            let sustainedAt = run.duration >= sustain
                ? (run.first...through).first { times[$0] - times[run.first] >= sustain }.map { times[$0] } : nil
            guard let at = [confirmedAt, slowAt, sustainedAt].compactMap({ $0 }).min() else { continue }
            for i in run.first...run.last { raised[i] = at }
        }
        return raised
    }

    /// When one rule's own alarm was raised, for each row where it is true,
    /// as if that rule alone were watched: once its true rows have run
    /// `persistSeconds` without a break (a row past a limit scores 1, which
    /// needs only the seconds), or when the safety floor raises its breach,
    /// whichever is earlier; nil for a row of a run neither raises. What an
    /// episode already open makes of a second vital's breach: its own alarm.
    public func ruleRaisedTimes(times: [Int64], ruleTrue: [Bool], confirmed: [Bool]? = nil, pace: Pace? = nil) -> [Int64?] {
        let pace = pace ?? Pace(all: times, offset: 0)
        var raised = floorRaisedTimes(times: times, ruleTrue: ruleTrue, confirmed: confirmed, pace: pace)
        let persist = Timestamp.micros(seconds: persistSeconds), gap = Timestamp.micros(seconds: floorGapSeconds)
        // A run: true rows one after another, no gap in the data between them longer than the floor's (or the record's pace).
        func continues(_ row: Int) -> Bool { ruleTrue[row] && (times[row] - times[row - 1] <= gap || pace.rowBefore(row) != nil) }
        var first = 0
        while first < times.count {
            guard ruleTrue[first] else { first += 1; continue }
            var end = first
            while end + 1 < times.count && continues(end + 1) { end += 1 }
            if let confirmed = (first...end).first(where: { times[$0] - times[first] >= persist }).map({ times[$0] }) {
                for row in first...end { raised[row] = min(raised[row] ?? confirmed, confirmed) }
            }
            first = end + 1
        }
        return raised
    }

    /// Whether `row` comes in a record whose rows are at least the sustain
    /// time apart: the two steps before it are, or the first of them is and
    /// the row before it began the record; or the two steps before the row
    /// before it are (a cuff's reading started by hand, or retried, seconds
    /// after the one on its cycle). One step is not enough: a 1-Hz feed back
    /// from a dropout, or an arterial line's first reading after one, is not
    /// a slow record, and the seconds after it show what it was. Rows further
    /// back than `AnomalyModel.paceSeconds` are not looked at: a worker reads
    /// no further, so a job judges a row as the whole case does.
    public func isSlowRecordRow(_ times: [Int64], row: Int) -> Bool {
        let sustain = Timestamp.micros(seconds: floorSustainSeconds), reach = Timestamp.micros(seconds: AnomalyModel.paceSeconds)
        func step(_ row: Int) -> Int64 { times[row] - times[row - 1] }
        // The row before `row` began the record: no row within the reach before it.
        let previousBegan = row < 2 || times[row] - times[row - 2] > reach
        if row >= 1, step(row) >= sustain, previousBegan || step(row - 1) >= sustain { return true }
        return row >= 3 && times[row] - times[row - 3] <= reach && step(row - 1) >= sustain && step(row - 2) >= sustain
    }
}

/// What raised an alarm: the model's score, the clinical-rule safety floor, or both.
public enum AlarmSource: String, Codable, Sendable, CaseIterable {
    case model, rule, both

    public init?(model: Bool, rule: Bool) {
        switch (model, rule) {
        case (true, true): self = .both
        case (true, false): self = .model
        case (false, true): self = .rule
        case (false, false): return nil
        }
    }

    /// The union of two sources.
    public func union(_ other: AlarmSource) -> AlarmSource { self == other ? self : .both }
}
