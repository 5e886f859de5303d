import PhysioCore
import PhysioPlatform

/// Where a stream is: the newest sample time, score time, episode update
/// and review action sent, then the stream's session and the number of its
/// last event. Sent as the SSE `id`, so a reconnecting client
/// (Last-Event-ID) resumes; the session lets the node that sent it know
/// what the client had (`StreamSessions`).
struct StreamCursor {
    var samples: Int64
    var scores: Int64
    var episodes: Int64
    var reviews: Int64
    var session: UInt64?
    var sequence: Int64 = 0

    var text: String {
        let times = "\(samples).\(scores).\(episodes).\(reviews)"
        return session.map { times + ".\($0).\(sequence)" } ?? times
    }

    init(samples: Int64, scores: Int64, episodes: Int64, reviews: Int64) {
        self.samples = samples
        self.scores = scores
        self.episodes = episodes
        self.reviews = reviews
    }

    /// From a client's Last-Event-ID; nil unless four times in physio's
    /// range (or three, as ids were before reviews: the reviews then resume
    /// from the episodes' time), then optionally a session and a sequence
    /// number: the stream subtracts its window from the times, and
    /// -9223372036854775808 minus anything overflowed and took the server down.
    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let times = parts.prefix(4).map { Int64($0) }
        guard [3, 4, 6].contains(parts.count), let samples = times[0], let scores = times[1], let episodes = times[2],
              let reviews = parts.count >= 4 ? times[3] : episodes,
              [samples, scores, episodes, reviews].allSatisfy(Timestamp.validRange.contains)
        else { return nil }
        self.init(samples: samples, scores: scores, episodes: episodes, reviews: reviews)
        if parts.count == 6 {
            guard let session = UInt64(parts[4]), let sequence = Int64(parts[5]), sequence >= 0 else { return nil }
            self.session = session
            self.sequence = sequence
        }
    }

    /// Each time the later of the two.
    func latest(_ other: StreamCursor) -> StreamCursor {
        var cursor = self
        for time in [\StreamCursor.samples, \.scores, \.episodes, \.reviews] { cursor[keyPath: time] = max(self[keyPath: time], other[keyPath: time]) }
        return cursor
    }

    /// Every time `micros` earlier (not before the epoch).
    func back(_ micros: Int64) -> StreamCursor {
        var cursor = self
        for time in [\StreamCursor.samples, \.scores, \.episodes, \.reviews] { cursor[keyPath: time] = max(0, self[keyPath: time] - micros) }
        return cursor
    }
}
