import PhysioCore
import PhysioPlatform

/// Windows and limits of an evaluation, all in seconds so a 1-s monitor
/// stream and an hourly chart mean the same thing.
public struct EvaluationSettings: Sendable, Equatable {
    /// Early warning looks this far ahead: "a breach starts within the next 5 minutes".
    public var horizonSeconds: Double
    /// A rule episode is a sustained breach when it lasts at least this long (first to last rule-true sample).
    public var sustainSeconds: Double
    /// Merging gap of model and rule episodes: the server's `EpisodeBuilder` default.
    public var episodeGapSeconds: Double
    /// Early warning needs a case's median sampling interval to be at most
    /// this: a chart sampled hourly cannot show a 60-s breach or a 5-minute
    /// lead, and a number computed on it would mean nothing.
    public var maximumSpacingSeconds: Double
    /// Resamples and seed of the intervals by case.
    public var bootstrap: CaseBootstrap

    public init(horizonSeconds: Double = 300, sustainSeconds: Double = 60, episodeGapSeconds: Double = 30,
                maximumSpacingSeconds: Double = 30, bootstrap: CaseBootstrap = .init()) {
        precondition(horizonSeconds > 0 && sustainSeconds >= 0 && episodeGapSeconds >= 0 && maximumSpacingSeconds > 0)
        self.horizonSeconds = horizonSeconds
        self.sustainSeconds = sustainSeconds
        self.episodeGapSeconds = episodeGapSeconds
        self.maximumSpacingSeconds = maximumSpacingSeconds
        self.bootstrap = bootstrap
    }

    var horizonMicros: Int64 { Timestamp.micros(seconds: horizonSeconds) }
    var sustainMicros: Int64 { Timestamp.micros(seconds: sustainSeconds) }
}
