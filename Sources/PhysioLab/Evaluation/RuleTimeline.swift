import PhysioCore

/// The clinical rules' side of one case: rule-true samples merged into
/// episodes (the alarms a threshold monitor raises), which rows are "in
/// alarm" (inside such an episode), and the onsets of sustained breaches.
///
/// In alarm means inside a rule episode, not merely rule-true at that
/// sample: a MAP flickering around 65 mmHg is one breach, and the samples in
/// its brief gaps are not "before" it.
struct RuleTimeline {
    /// Every rule episode of the case (context rows included), by start.
    let episodes: [Episode]
    let inAlarm: [Bool]
    /// Starts of breaches lasting at least the sustain time, as the detector's
    /// safety floor measures them (`AlarmPolicy.breaches`: rule-true rows
    /// joined across gaps up to the episode gap, but not across readings back
    /// inside the limits for more than a few seconds; a breach lasts until the
    /// row after its last rule-true row, so a low cuff reading counts until the
    /// next reading says otherwise), that begin inside the evaluated rows,
    /// after their first sample (one that begins at the first evaluated sample
    /// may have begun earlier, unseen).
    let sustainedOnsets: [Int64]
    /// Starts of every sustained breach of the case (context rows included).
    let sustainedStarts: [Int64]

    init(_ scores: CaseScores, settings: EvaluationSettings) {
        self.init(scores, flags: scores.ruleTrue, settings: settings)
    }

    /// The timeline of other rule flags (one per row), e.g. the hypotension rules alone.
    init(_ scores: CaseScores, flags: [Bool], settings: EvaluationSettings) {
        let times = scores.timestamps
        episodes = AlarmEpisodes.merge(caseID: scores.caseID, timestamps: times,
                                       rows: 0..<times.count, gapSeconds: settings.episodeGapSeconds) {
            flags[$0]
        }
        inAlarm = AlarmEpisodes.covered(episodes, timestamps: times)
        let floor = AlarmPolicy(floorSustainSeconds: settings.sustainSeconds, floorGapSeconds: settings.episodeGapSeconds)
        sustainedStarts = floor.breaches(times: times, ruleTrue: flags)
            .filter { $0.duration >= settings.sustainMicros }
            .map { times[$0.first] }
        guard !scores.evaluated.isEmpty else { sustainedOnsets = []; return }
        let first = times[scores.evaluated.lowerBound], last = times[scores.evaluated.upperBound - 1]
        sustainedOnsets = sustainedStarts.filter { $0 > first && $0 <= last }
    }

    /// Whether a rule episode holds a sustained breach (a flickering start may come before it).
    func isSustained(_ episode: Episode) -> Bool {
        sustainedStarts.contains { $0 >= episode.start && $0 <= episode.end }
    }

    /// Episodes that begin within the evaluated rows (the ones an evaluated stretch is charged for).
    func episodes(startingIn scores: CaseScores) -> [Episode] {
        guard !scores.evaluated.isEmpty else { return [] }
        let first = scores.timestamps[scores.evaluated.lowerBound], last = scores.timestamps[scores.evaluated.upperBound - 1]
        return episodes.filter { $0.start >= first && $0.start <= last }
    }
}
