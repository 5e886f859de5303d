import PhysioCore
import PhysioPlatform

/// Where a stream is: the newest sample time, score time, episode update
/// and review action sent. Sent as the SSE `id`, so a reconnecting client
/// (Last-Event-ID) resumes.
struct StreamCursor {
    var samples: Int64
    var scores: Int64
    var episodes: Int64
    var reviews: Int64

    var text: String { "\(samples).\(scores).\(episodes).\(reviews)" }

    init(samples: Int64, scores: Int64, episodes: Int64, reviews: Int64) {
        self.samples = samples
        self.scores = scores
        self.episodes = episodes
        self.reviews = reviews
    }

    /// From a client's Last-Event-ID; nil unless four times in physio's
    /// range (or three, as ids were before reviews: the reviews then resume
    /// from the episodes' time): the stream subtracts its window from them,
    /// and -9223372036854775808 minus anything overflowed and took the server down.
    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { Int64($0) }
        guard parts.count == 3 || parts.count == 4, let samples = parts[0], let scores = parts[1], let episodes = parts[2],
              let reviews = parts.count == 4 ? parts[3] : episodes,
              [samples, scores, episodes, reviews].allSatisfy(Timestamp.validRange.contains)
        else { return nil }
        self.init(samples: samples, scores: scores, episodes: episodes, reviews: reviews)
    }
}
