import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// `text/event-stream` of one case: `sample`, `score`, `episode`,
/// `merged`, `review` and `limits` events as they are committed, and
/// `backfill` for rows committed too far behind to send. Between events the connection is suspended (no
/// thread waits); the hub wakes it. Rows are fetched from a window behind
/// the cursor and de-duplicated, so a row committed out of order (a slow
/// transaction) is still sent once; rows committed further behind, up to
/// `lateReach` (a reading stamped at its start, a monitor's backlog), are
/// read from the times the commit's notification gives (further back, the
/// client is told which times to read again); a stream resumed on
/// the same node re-reads the window too (`StreamSessions`).
final class CaseStream: ResponseStream, @unchecked Sendable {
    static let window: Int64 = 30_000_000
    /// How far behind the newest row sent a row committed late is still sent (10 minutes).
    static let lateReach: Int64 = 600_000_000
    static let rowLimit = 2000

    private let caseID: CaseID
    private let pool: ConnectionPool
    private let hub: StreamHub
    private let heartbeatNanos: UInt64
    private let ticket: StreamTicket
    private var cursor: StreamCursor
    /// Nothing at or before these is sent: what the client had when it connected.
    private let floor: StreamCursor
    private let session: UInt64
    private let sent: StreamSessions.Sent
    private var sequence: Int64 = 0
    private var pending: [UInt8] = []
    private var offset = 0
    private var lastWrite = Clock.monotonicNanos()
    /// Whether the stream is reading on a blocking thread, and whether a wake came meanwhile.
    private let elsewhere = Locked(ReadingElsewhere())
    private struct ReadingElsewhere { var reading = false, woken = false }

    /// `had`: what the client of a resumed session received (see `StreamSessions`);
    /// the window behind its cursor is then read again, else nothing at or before it.
    /// `openedAfter`: a new stream's snapshot, taken before its cursor.
    init(caseID: CaseID, tokenID: Int?, pool: ConnectionPool, hub: StreamHub, cursor: StreamCursor, openedAfter: CommitSnapshot?,
         had: StreamSessions.Had?, heartbeatSeconds: Double) {
        self.caseID = caseID
        self.pool = pool
        self.hub = hub
        self.cursor = cursor
        floor = had.map { cursor.back(Self.window).latest($0.floor) } ?? cursor
        (session, sent) = hub.sessions.open(floor: floor, inheriting: had?.keys ?? SentKeys())
        self.cursor.session = session
        heartbeatNanos = UInt64(heartbeatSeconds * 1e9)
        // No blank line after it: a blank line dispatches, and clients that keep the last
        // id (httpx-sse) then yield an empty event. The retry field counts where it is read.
        pending = Array("retry: 2000\n: physio live stream of case \(caseID)\n".utf8)
        ticket = StreamTicket(tokenID: tokenID, openedAfter: openedAfter)
        hub.register(caseID: caseID.rawValue, stream: ObjectIdentifier(self), ticket: ticket)
    }

    func read(into destination: UnsafeMutableRawBufferPointer) -> StreamRead {
        // A revoked token's stream ends at once; reconnecting with it gets 401.
        if ticket.isRevoked { return .end }
        // Reading on a blocking thread: it wakes the connection when done.
        if elsewhere.withLock({ state in if state.reading { state.woken = true }; return state.reading }) { return .wait(ticket.waker) }
        if offset == pending.count {
            pending.removeAll(keepingCapacity: true)
            offset = 0
            guard fill(), !pending.isEmpty else { return .wait(ticket.waker) }
        }
        let count = min(destination.count, pending.count - offset)
        pending.withUnsafeBytes { destination.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        offset += count
        lastWrite = Clock.monotonicNanos()
        return .bytes(count)
    }

    func close() {
        hub.unregister(caseID: caseID.rawValue, stream: ObjectIdentifier(self))
        hub.sessions.close(session)
    }

    /// Reads what is new into `pending`, or a keep-alive when nothing is and one is due.
    /// False when the read moved to a blocking thread: on an event-loop
    /// thread with no idle database connection, waiting for the next wake
    /// could mean waiting for the heartbeat.
    private func fill() -> Bool {
        do {
            try fetch()
        } catch is WouldBlock {
            if readElsewhere() { return false }
        } catch {
            // The database is away: nothing to send now; the next wake (or heartbeat) tries again.
        }
        // Wakes come every heartbeat, so half of one since the last byte is due:
        // the first keep-alive then comes within 1½ heartbeats of it, not 2.
        if pending.isEmpty && Clock.monotonicNanos() - lastWrite >= heartbeatNanos / 2 {
            pending = Array(": keep-alive\n".utf8)   // a comment line alone: nothing to dispatch
        }
        return true
    }

    /// Fills `pending` on a blocking thread, the connection suspended
    /// meanwhile; wakes it when there is something to send or a wake came.
    /// False when that queue is full: the next wake tries again.
    private func readElsewhere() -> Bool {
        elsewhere.withLock { $0 = ReadingElsewhere(reading: true) }
        let submitted = hub.blockingWork.submit { [self] in
            _ = fill()
            let filled = !pending.isEmpty
            let woken = elsewhere.withLock { state in defer { state = ReadingElsewhere() }; return state.woken }
            if filled || woken { ticket.waker.wake() }
        }
        if !submitted { elsewhere.withLock { $0 = ReadingElsewhere() } }
        return submitted
    }

    /// New rows since the cursors, as events. A failed read gives back the
    /// flags it took, so the next one reads reviews and late rows too.
    private func fetch() throws {
        let committed = ticket.committed.withLock { $0.take() }
        do {
            try pool.withConnection { connection in
                let queries = StreamQueries()
                try follow(\.samples, as: "sample", keys: \.samples, committed: committed.samples, of: \.samples,
                           behind: { try queries.samples(caseID: caseID, in: $0, limit: Self.rowLimit, on: connection) },
                           after: { try queries.samples(caseID: caseID, after: $0, limit: Self.rowLimit, on: connection) })
                try follow(\.scores, as: "score", keys: \.scores, committed: committed.scores, of: \.scores,
                           behind: { try queries.scores(caseID: caseID, in: $0, limit: Self.rowLimit, on: connection) },
                           after: { try queries.scores(caseID: caseID, after: $0, limit: Self.rowLimit, on: connection) })
                let episodes = try queries.episodes(caseID: caseID, updatedAfter: max(floor.episodes, cursor.episodes - Self.window), on: connection)
                for episode in episodes where sent.keys.withLock({ $0.episodes.insert(episode.key, at: episode.timestamp, sequence: sequence + 1) }) {
                    cursor.episodes = max(cursor.episodes, episode.timestamp)
                    emit("episode", episode.json())
                }
                // A merge commits with its survivor's update: none to look for without one.
                let merges = episodes.isEmpty ? [] : try queries.merges(caseID: caseID, after: max(floor.episodes, cursor.episodes - Self.window),
                                                                        on: connection)
                for merge in merges where sent.keys.withLock({ $0.episodes.insert(merge.key, at: merge.timestamp, sequence: sequence + 1) }) {
                    emit("merged", merge.json())
                }
                guard ticket.reviewsPending.withLock({ pending in defer { pending = false }; return pending }) else { return }
                let reviewsAfter = max(floor.reviews, cursor.reviews - Self.window)
                // Limit changes are review-scope actions too, on the same cursor.
                let reviews = try queries.reviews(caseID: caseID, after: reviewsAfter, on: connection).map { ("review", $0) }
                let limits = try queries.limits(caseID: caseID, after: reviewsAfter, on: connection).map { [("limits", $0)] } ?? []
                for (event, row) in reviews + limits where sent.keys.withLock({ $0.reviews.insert(row.key, at: row.timestamp, sequence: sequence + 1) }) {
                    cursor.reviews = max(cursor.reviews, row.timestamp)
                    emit(event, row.json())
                }
            }
        } catch {
            ticket.reviewsPending.withLock { $0 = true }
            ticket.committed.withLock { $0.insert(committed) }
            throw error
        }
        let edge = cursor.back(Self.window)
        sent.keys.withLock { keys in
            // Kept as far back as rows committed late are read, so none is sent twice.
            keys.samples.forget(before: cursor.samples - Self.lateReach)
            keys.scores.forget(before: cursor.scores - Self.lateReach)
            keys.episodes.forget(before: edge.episodes)
            keys.reviews.forget(before: edge.reviews)
        }
    }

    /// The part of `committed` that lies behind the window re-read at each
    /// wake and no further back than `lateReach`: nil when none does.
    static func behind(_ committed: ClosedRange<Int64>, cursor: Int64) -> ClosedRange<Int64>? {
        let lower = max(committed.lowerBound, cursor - lateReach), upper = min(committed.upperBound, cursor - window)
        return lower <= upper ? lower...upper : nil
    }

    /// The part of `committed` further back than `lateReach`: its rows are
    /// not sent, the client is told to read them (`backfill`); nil when none is.
    static func beyondReach(_ committed: ClosedRange<Int64>, cursor: Int64) -> ClosedRange<Int64>? {
        let upper = min(committed.upperBound, cursor - lateReach - 1)
        return committed.lowerBound <= upper ? committed.lowerBound...upper : nil
    }

    /// Sends the rows of one kind not sent yet: first those in the spans of
    /// `committed` that lie behind the window re-read at each wake (`behind` of a span:
    /// a reading stamped before the newest sent, a backlog), then the
    /// window and what came after it (`after` a time), moving the cursor.
    /// If a span, or what came after the cursor, held more rows than one
    /// read returns, the next wake reads on.
    private func follow(_ time: WritableKeyPath<StreamCursor, Int64>, as event: String, keys: WritableKeyPath<SentKeys, RecentKeys>,
                        committed: TimeSpans, of spans: WritableKeyPath<CommittedSpans, TimeSpans>,
                        behind: (ClosedRange<Int64>) throws -> [StreamQueries.Row],
                        after: (Int64) throws -> [StreamQueries.Row]) throws {
        for beyond in committed.spans.compactMap({ Self.beyondReach($0, cursor: cursor[keyPath: time]) }) {
            var json = JSONWriter(capacity: 128)
            json.beginObject()
            json.field("of", event)
            json.field("from", Timestamp.format(beyond.lowerBound))
            json.field("to", Timestamp.format(beyond.upperBound))
            json.endObject()
            emit("backfill", json.string)
        }
        for late in committed.spans.compactMap({ Self.behind($0, cursor: cursor[keyPath: time]) }) {
            let rows = try behind(late)
            for row in rows where sent.keys.withLock({ $0[keyPath: keys].insert(row.key, at: row.timestamp, sequence: sequence + 1) }) {
                emit(event, row.json())
            }
            if rows.count == Self.rowLimit, let last = rows.last?.timestamp, last < late.upperBound {
                ticket.committed.withLock { $0[keyPath: spans].insert(last + 1...late.upperBound) }
                ticket.waker.wake()
            }
        }
        // A page at a time through the window: one holding more rows than a page (a batch 10 ms apart) was read
        // from its start at every wake, and the rows after it never came. Past the cursor, one page per wake.
        var from = max(floor[keyPath: time], cursor[keyPath: time] - Self.window)
        while true {
            let rows = try after(from)
            let beyondCursor = (rows.last?.timestamp ?? .min) > cursor[keyPath: time]
            for row in rows where sent.keys.withLock({ $0[keyPath: keys].insert(row.key, at: row.timestamp, sequence: sequence + 1) }) {
                cursor[keyPath: time] = max(cursor[keyPath: time], row.timestamp)
                emit(event, row.json())
            }
            guard rows.count == Self.rowLimit, let last = rows.last?.timestamp else { return }
            if beyondCursor {
                ticket.waker.wake()   // the rest at the next wake, from the moved cursor
                return
            }
            from = last
        }
    }

    /// Each event's id ends with the session and its sequence number: the key just recorded carries it.
    private func emit(_ event: String, _ data: String) {
        sequence += 1
        cursor.sequence = sequence
        pending.append(contentsOf: "event: \(event)\nid: \(cursor.text)\ndata: \(data)\n\n".utf8)
    }
}
