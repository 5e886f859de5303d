import PhysioCore
import PhysioData
import PhysioLab
import PhysioPlatform

/// `physio evaluate --write-episodes F`: the detector's alarm episodes of
/// every evaluated case as the server would store them (its alarms merged
/// by `EpisodeBuilder` with the evaluation's episode gap, as the alarm
/// burden counts them), each with what raised it and its drivers, so that
/// a generator's own event labels can judge what an episode names
/// (scripts/lib/episode_drivers.py).
enum EvaluatedEpisodes {
    static let header = "case_id,start_t_seconds,end_t_seconds,raised_at_t_seconds,peak_score,source,rules,drivers,alarms"

    /// One line per episode; `rules`, `drivers` and `alarms` are
    /// space-separated (a driver as `vital:share`, largest share first; an
    /// alarm as `rule:raised_t_seconds`, by time: `Episode.alarms`).
    static func write(_ scored: ScoredCases, window: TimeWindow, episodeGapSeconds: Double, to path: String) throws {
        let writer = try TextWriter(path: path)
        defer { writer.close() }
        writer.write(header + "\n")
        for fold in scored.folds {
            guard let model = fold.model else { continue }  // scores read from a file have no episodes to write
            let scorer = CaseScorer(model: model)
            for whole in fold.series {
                let series = window.truncated(whole)
                let samples = scorer.score(series, rows: window.rows(in: series), minutes: MinuteMeans(series)).samples
                let episodes = EpisodeBuilder(maxGapSeconds: episodeGapSeconds)
                    .merge(caseID: series.caseID, existing: [], points: samples.filter(\.anomalous).map(\.point))
                    .upserted.sorted { $0.start < $1.start }
                writer.write(episodes.map(line).joined())
            }
        }
    }

    static func line(_ episode: Episode) -> String {
        let alarms = episode.raisedAlarms.map { "\($0.rule):\(Timestamp.secondsText($0.raisedAt))" }.joined(separator: " ")
        let drivers = episode.vitals.map { "\($0.vital.name):\(($0.weight * 1000).rounded() / 1000)" }.joined(separator: " ")
        return "\(episode.caseID),\(Timestamp.secondsText(episode.start)),\(Timestamp.secondsText(episode.end)),"
            + "\(episode.raisedAt.map(Timestamp.secondsText) ?? ""),\(episode.peakScore),\(episode.source.rawValue),"
            + "\(episode.rules.joined(separator: " ")),\(drivers),\(alarms)\n"
    }
}
