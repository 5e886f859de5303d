import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// `text/event-stream` of one case: `sample`, `score`, `episode` and
/// `review` events as they are committed. Between events the connection is suspended (no
/// thread waits); the hub wakes it. Rows are fetched from a window behind
/// the cursor and de-duplicated, so a row committed out of order (a late
/// sample, a slow transaction) is still sent once.
final class CaseStream: ResponseStream, @unchecked Sendable {
    static let window: Int64 = 30_000_000
    static let rowLimit = 2000

    private let caseID: CaseID
    private let pool: ConnectionPool
    private let hub: StreamHub
    private let heartbeatNanos: UInt64
    private let ticket: StreamTicket
    private var cursor: StreamCursor
    /// Nothing at or before these is sent: what the client had when it connected.
    private let floor: StreamCursor
    private var sentSamples = RecentKeys()
    private var sentScores = RecentKeys()
    private var sentEpisodes = RecentKeys()
    private var sentReviews = RecentKeys()
    private var pending: [UInt8] = []
    private var offset = 0
    private var lastWrite = Clock.monotonicNanos()

    init(caseID: CaseID, tokenID: Int?, pool: ConnectionPool, hub: StreamHub, cursor: StreamCursor, heartbeatSeconds: Double) {
        self.caseID = caseID
        self.pool = pool
        self.hub = hub
        self.cursor = cursor
        floor = cursor
        heartbeatNanos = UInt64(heartbeatSeconds * 1e9)
        pending = Array("retry: 2000\n: physio live stream of case \(caseID)\n\n".utf8)
        ticket = StreamTicket(tokenID: tokenID)
        hub.register(caseID: caseID.rawValue, stream: ObjectIdentifier(self), ticket: ticket)
    }

    func read(into destination: UnsafeMutableRawBufferPointer) -> StreamRead {
        // A revoked token's stream ends at once; reconnecting with it gets 401.
        if ticket.isRevoked { return .end }
        if offset == pending.count {
            pending.removeAll(keepingCapacity: true)
            offset = 0
            fetch()
            if pending.isEmpty && Clock.monotonicNanos() - lastWrite >= heartbeatNanos {
                pending = Array(": keep-alive\n\n".utf8)
            }
            if pending.isEmpty { return .wait(ticket.waker) }
        }
        let count = min(destination.count, pending.count - offset)
        pending.withUnsafeBytes { destination.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        offset += count
        lastWrite = Clock.monotonicNanos()
        return .bytes(count)
    }

    func close() { hub.unregister(caseID: caseID.rawValue, stream: ObjectIdentifier(self)) }

    /// New rows since the cursors, as events.
    private func fetch() {
        do {
            try pool.withConnection { connection in
                let queries = StreamQueries()
                for sample in try queries.samples(caseID: caseID, after: max(floor.samples, cursor.samples - Self.window), limit: Self.rowLimit, on: connection)
                where sentSamples.insert(sample.key, at: sample.timestamp) {
                    cursor.samples = max(cursor.samples, sample.timestamp)
                    emit("sample", sample.json())
                }
                for score in try queries.scores(caseID: caseID, after: max(floor.scores, cursor.scores - Self.window), limit: Self.rowLimit, on: connection)
                where sentScores.insert(score.key, at: score.timestamp) {
                    cursor.scores = max(cursor.scores, score.timestamp)
                    emit("score", score.json())
                }
                for episode in try queries.episodes(caseID: caseID, updatedAfter: max(floor.episodes, cursor.episodes - Self.window), on: connection)
                where sentEpisodes.insert(episode.key, at: episode.timestamp) {
                    cursor.episodes = max(cursor.episodes, episode.timestamp)
                    emit("episode", episode.json())
                }
                let reviews = ticket.reviewsPending.withLock { pending in defer { pending = false }; return pending }
                    ? try queries.reviews(caseID: caseID, after: max(floor.reviews, cursor.reviews - Self.window), on: connection) : []
                for review in reviews where sentReviews.insert(review.key, at: review.timestamp) {
                    cursor.reviews = max(cursor.reviews, review.timestamp)
                    emit("review", review.json())
                }
            }
        } catch {
            // The database is away: nothing to send now; the next wake (or heartbeat) tries again, reviews included.
            ticket.reviewsPending.withLock { $0 = true }
        }
        sentSamples.forget(before: cursor.samples - Self.window)
        sentScores.forget(before: cursor.scores - Self.window)
        sentEpisodes.forget(before: cursor.episodes - Self.window)
        sentReviews.forget(before: cursor.reviews - Self.window)
    }

    private func emit(_ event: String, _ data: String) {
        pending.append(contentsOf: "event: \(event)\nid: \(cursor.text)\ndata: \(data)\n\n".utf8)
    }
}

/// Keys sent recently, with the time they belong to, so re-fetched rows are not sent twice.
struct RecentKeys {
    private var keys: [String: Int64] = [:]

    /// True if `key` was not sent before (and records it).
    mutating func insert(_ key: String, at time: Int64) -> Bool {
        keys.updateValue(time, forKey: key) == nil
    }

    mutating func forget(before time: Int64) {
        if keys.count > 256 { keys = keys.filter { $0.value >= time } }
    }
}
