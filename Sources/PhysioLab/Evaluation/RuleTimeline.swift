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
    /// Starts of episodes lasting at least the sustain time that begin inside
    /// the evaluated rows, after their first sample (one that begins at the first
    /// evaluated sample may have begun earlier, unseen). An episode lasts until
    /// the row after its last rule-true row, as the detector's safety floor
    /// (`AlarmPolicy.breaches`) measures it: a low cuff reading counts until the
    /// next reading says otherwise.
    let sustainedOnsets: [Int64]

    init(_ scores: CaseScores, settings: EvaluationSettings) {
        self.init(scores, flags: scores.ruleTrue, settings: settings)
    }

    /// The timeline of other rule flags (one per row), e.g. the hypotension rules alone.
    init(_ scores: CaseScores, flags: [Bool], settings: EvaluationSettings) {
        episodes = AlarmEpisodes.merge(caseID: scores.caseID, timestamps: scores.timestamps,
                                       rows: 0..<scores.timestamps.count, gapSeconds: settings.episodeGapSeconds) {
            flags[$0]
        }
        inAlarm = AlarmEpisodes.covered(episodes, timestamps: scores.timestamps)
        guard !scores.evaluated.isEmpty else { sustainedOnsets = []; return }
        let first = scores.timestamps[scores.evaluated.lowerBound], last = scores.timestamps[scores.evaluated.upperBound - 1]
        sustainedOnsets = episodes
            .filter { Self.lasts($0, times: scores.timestamps) >= settings.sustainMicros && $0.start > first && $0.start <= last }
            .map(\.start)
    }

    /// How long a rule episode lasts (µs): to the row after its last rule-true row, or to that row when none follows.
    static func lasts(_ episode: Episode, times: [Int64]) -> Int64 {
        let next = SortedTimes.firstIndex(times, atOrAfter: episode.end + 1, in: 0..<times.count)
        return (next < times.count ? times[next] : episode.end) - episode.start
    }

    /// Episodes that begin within the evaluated rows (the ones an evaluated stretch is charged for).
    func episodes(startingIn scores: CaseScores) -> [Episode] {
        guard !scores.evaluated.isEmpty else { return [] }
        let first = scores.timestamps[scores.evaluated.lowerBound], last = scores.timestamps[scores.evaluated.upperBound - 1]
        return episodes.filter { $0.start >= first && $0.start <= last }
    }
}
