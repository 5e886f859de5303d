import PhysioPlatform

/// What each live stream has sent, by session (a number in its event ids),
/// so that a client resuming on this node with Last-Event-ID is sent the
/// rows committed while it was away that lie behind its last event's times
/// (a late sample, a merge into an instant it had, a score rewritten), and
/// nothing it had. A stream's record is kept while it is open (a client
/// often reconnects before the server notices its old connection died) and
/// for `keepSeconds` after it closes. Resumed on another node, or later, a
/// stream starts after the last event's times, as streams did before.
final class StreamSessions: Sendable {
    /// A stream's sent keys, by the sequence number of the event that sent
    /// each, and its floor: what its client had before it (nothing at or
    /// before that was sent, nor is on a resume).
    final class Sent: Sendable {
        let keys: Locked<SentKeys>
        let floor: StreamCursor
        init(_ keys: SentKeys, floor: StreamCursor) {
            self.keys = Locked(keys)
            self.floor = floor
        }
    }

    /// What the client of a session had when it resumed.
    struct Had {
        let keys: SentKeys
        let floor: StreamCursor
    }

    private struct Session {
        let sent: Sent
        var closedAt: UInt64?
    }

    private let sessions = Locked<[UInt64: Session]>([:])
    let keepSeconds: Double

    init(keepSeconds: Double = 120) { self.keepSeconds = keepSeconds }

    /// A new session whose record starts with `inherited` (what the client had).
    func open(floor: StreamCursor, inheriting inherited: SentKeys = SentKeys()) -> (id: UInt64, sent: Sent) {
        let sent = Sent(inherited, floor: floor)
        let id = UInt64.random(in: 1...UInt64(Int64.max))
        let oldest = Clock.monotonicNanos() &- UInt64(keepSeconds * 1e9)
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.closedAt.map { $0 >= oldest } ?? true }
            sessions[id] = Session(sent: sent, closedAt: nil)
        }
        return (id, sent)
    }

    func close(_ id: UInt64) {
        let now = Clock.monotonicNanos()
        sessions.withLock { $0[id]?.closedAt = now }
    }

    /// The keys session `id` sent up to and including its event `sequence`:
    /// those the client acknowledged by naming that event. nil: unknown here.
    func had(by id: UInt64, through sequence: Int64) -> Had? {
        guard let sent = sessions.withLock({ $0[id]?.sent }) else { return nil }
        return Had(keys: sent.keys.withLock { $0.through(sequence) }, floor: sent.floor)
    }
}

/// The keys a stream sent recently, per event kind.
struct SentKeys: Sendable {
    var samples = RecentKeys()
    var scores = RecentKeys()
    var episodes = RecentKeys()
    var reviews = RecentKeys()

    /// Those sent by events up to `sequence`, as already had (sequence 0).
    func through(_ sequence: Int64) -> SentKeys {
        SentKeys(samples: samples.through(sequence), scores: scores.through(sequence),
                 episodes: episodes.through(sequence), reviews: reviews.through(sequence))
    }
}

/// Keys sent recently, with the time they belong to and the event that sent
/// them, so re-fetched rows are not sent twice.
struct RecentKeys: Sendable {
    private var keys: [String: (time: Int64, sequence: Int64)] = [:]

    /// True if `key` was not sent before (and records it).
    mutating func insert(_ key: String, at time: Int64, sequence: Int64) -> Bool {
        guard keys[key] == nil else { return false }
        keys[key] = (time, sequence)
        return true
    }

    mutating func forget(before time: Int64) {
        if keys.count > 256 { keys = keys.filter { $0.value.time >= time } }
    }

    func through(_ sequence: Int64) -> RecentKeys {
        var kept = RecentKeys()
        for (key, value) in keys where value.sequence <= sequence { kept.keys[key] = (value.time, 0) }
        return kept
    }
}
