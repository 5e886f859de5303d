import PhysioCore

/// Alarm burden: episodes of the model and of the plain threshold rules
/// over the same hours, merged the same way, and how the model's alarms
/// relate to the rule episodes. Additive over cases.
public struct AlarmBurden: Sendable, Equatable {
    public var hours = 0.0
    public var ruleEpisodes = 0
    public var modelEpisodes = 0
    /// Rule episodes with a model alarm in [start − horizon, start) at a
    /// sample not in alarm: the model flagged them before the rule fired.
    public var flaggedFirst = 0
    /// Rule episodes with a model alarm anywhere in [start − horizon, end].
    public var caught = 0
    /// The same for rule episodes holding a breach that lasts the sustain time (`RuleTimeline.isSustained`).
    public var sustained = 0
    public var sustainedCaught = 0
    public var sustainedFlaggedFirst = 0
    /// Model episodes overlapping [start − horizon, end] of some rule
    /// episode; the others are alarms with no breach near them.
    public var modelEpisodesNearBreach = 0

    public init() {}

    init(_ scores: CaseScores, rules: RuleTimeline, settings: EvaluationSettings) {
        hours = scores.evaluatedHours
        let model = AlarmEpisodes.merge(caseID: scores.caseID, timestamps: scores.timestamps, rows: scores.evaluated,
                                        gapSeconds: settings.episodeGapSeconds) { scores.alarm(row: $0) }
        modelEpisodes = model.count
        let horizon = settings.horizonMicros
        let charged = rules.episodes(startingIn: scores)
        ruleEpisodes = charged.count
        for episode in charged {
            let isSustained = rules.isSustained(episode)
            let early = Self.alarmed(scores, from: episode.start - horizon, before: episode.start) { !rules.inAlarm[$0] }
            let any = early || Self.alarmed(scores, from: episode.start, before: episode.end + 1) { _ in true }
            if early { flaggedFirst += 1 }
            if any { caught += 1 }
            if isSustained {
                sustained += 1
                if early { sustainedFlaggedFirst += 1 }
                if any { sustainedCaught += 1 }
            }
        }
        modelEpisodesNearBreach = model.filter { alarm in
            rules.episodes.contains { alarm.start <= $0.end && alarm.end >= $0.start - horizon }
        }.count
    }

    /// Whether the model alarmed at an evaluated row with time in [from, before) that `counts`.
    static func alarmed(_ scores: CaseScores, from: Int64, before: Int64, where counts: (Int) -> Bool) -> Bool {
        var row = SortedTimes.firstIndex(scores.timestamps, atOrAfter: from, in: scores.evaluated)
        while row < scores.evaluated.upperBound, scores.timestamps[row] < before {
            if scores.alarm(row: row) && counts(row) { return true }
            row += 1
        }
        return false
    }

    public static func + (a: AlarmBurden, b: AlarmBurden) -> AlarmBurden {
        var sum = a
        sum.hours += b.hours
        sum.ruleEpisodes += b.ruleEpisodes
        sum.modelEpisodes += b.modelEpisodes
        sum.flaggedFirst += b.flaggedFirst
        sum.caught += b.caught
        sum.sustained += b.sustained
        sum.sustainedCaught += b.sustainedCaught
        sum.sustainedFlaggedFirst += b.sustainedFlaggedFirst
        sum.modelEpisodesNearBreach += b.modelEpisodesNearBreach
        return sum
    }

    public var ruleEpisodesPerHour: Double? { hours > 0 ? Double(ruleEpisodes) / hours : nil }
    public var modelEpisodesPerHour: Double? { hours > 0 ? Double(modelEpisodes) / hours : nil }
    /// Model episodes with no rule episode near them, per hour.
    public var modelEpisodesAwayFromBreachesPerHour: Double? {
        hours > 0 ? Double(modelEpisodes - modelEpisodesNearBreach) / hours : nil
    }
    /// Model episodes per hour over rule episodes per hour.
    public var episodeRatio: Double? { ruleEpisodes > 0 ? Double(modelEpisodes) / Double(ruleEpisodes) : nil }
    public var flaggedFirstShare: Double? { share(flaggedFirst, of: ruleEpisodes) }
    public var caughtShare: Double? { share(caught, of: ruleEpisodes) }
    /// The model's sensitivity to sustained breaches (the rules' is 1 by definition).
    public var sustainedCaughtShare: Double? { share(sustainedCaught, of: sustained) }
    public var sustainedFlaggedFirstShare: Double? { share(sustainedFlaggedFirst, of: sustained) }

    private func share(_ part: Int, of whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }
}
