import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// Wakes the live streams of a case when its samples or scores are
/// committed, whatever node wrote: the process's notification listener
/// tells it. Also wakes every stream every `heartbeatSeconds`, so idle
/// streams send a keep-alive (and a client that went away is noticed), and
/// ends the streams and exports of a token revoked since they opened.
final class StreamHub: @unchecked Sendable {
    /// Told of every scores notification, before the streams wake.
    let scoreVersions = ScoreVersions()
    /// What each stream sent, for clients that resume here.
    let sessions = StreamSessions()
    /// Where a stream reads when its event-loop thread found no idle database connection.
    let blockingWork: BlockingWork
    private let streams = Locked<[String: [ObjectIdentifier: StreamTicket]]>([:])

    /// How often the tokens of open streams are checked: well inside the
    /// token cache's 5 s, within which a revoked token stops working.
    static let revocationCheckSeconds = 1.0

    /// `answers`: the read answers kept in memory, forgotten when retention
    /// removed rows or news may have been missed; `exports`: those running, ended with a revoked token as streams are.
    init(listener: NotificationListener, authenticator: TokenAuthenticator, answers: AnswerCache, blockingWork: BlockingWork,
         exports: RunningExports, heartbeatSeconds: Double = 15) {
        self.blockingWork = blockingWork
        let scoreVersions = self.scoreVersions
        listener.onListening { [weak self] connection in
            scoreVersions.listening(connection != nil)
            answers.forgetAll()
            if connection != nil { self?.wake(nil, reviews: true) }   // anything may have happened while no one listened
        }
        listener.subscribe(.caseEvents) { [weak self] payloads, _ in
            for payload in payloads {
                guard let event = CaseEvents.parse(payload) else { continue }
                switch event.kind {
                case .removed:
                    // Old rows: no stream has anything new to send, but every kept answer may hold them.
                    answers.forgetAll()
                case .samples, .scores, .reviews:
                    // Episodes carry their reviews: a review changes /anomalies answers as scores do.
                    if event.kind != .samples { scoreVersions.scored(event.caseIDs) }
                    self?.wake(event.caseIDs, reviews: event.kind == .reviews, committed: event.spans,
                               of: event.kind == .samples ? \.samples : \.scores, by: event.transaction)
                }
            }
        }
        listener.every(heartbeatSeconds) { [weak self] _ in self?.wake(nil) }
        listener.every(Self.revocationCheckSeconds) { [weak self] connection in
            guard let self, let connection else { return }
            let (revoked, tickets) = try openStreamsOfRevokedTokens(exports: exports.tokenIDs, on: connection)
            // Grants first: a client whose stream ends may ask again at once, and must get 401.
            authenticator.forget(tokenIDs: revoked)
            Self.end(tickets, tokens: revoked.count)
            exports.revoke(revoked)
        }
    }

    func register(caseID: String, stream: ObjectIdentifier, ticket: StreamTicket) {
        streams.withLock { $0[caseID, default: [:]][stream] = ticket }
    }

    func unregister(caseID: String, stream: ObjectIdentifier) {
        streams.withLock { all in
            all[caseID]?.removeValue(forKey: stream)
            if all[caseID]?.isEmpty == true { all.removeValue(forKey: caseID) }
        }
    }

    /// Wakes the streams of `caseIDs`, or all of them for nil; with
    /// `reviews`, they read review actions too (only then: most wakes are
    /// samples and scores, and the query would run for each).
    /// `committed`: the times each case's rows span, so its streams can
    /// read those that lie behind what they sent (`CaseStream`); not for a
    /// stream that opened after `transaction` committed (its client could
    /// read them: a notification the hub heard only after the stream opened).
    func wake(_ caseIDs: [String]?, reviews: Bool = false, committed: [String: ClosedRange<Int64>] = [:],
              of kind: WritableKeyPath<CommittedSpans, TimeSpans> = \.samples, by transaction: UInt64? = nil) {
        let tickets: [(caseID: String, ticket: StreamTicket)] = streams.withLock { all in
            guard let caseIDs else { return all.flatMap { caseID, tickets in tickets.values.map { (caseID, $0) } } }
            return caseIDs.flatMap { caseID in all[caseID].map { $0.values.map { (caseID, $0) } } ?? [] }
        }
        for (caseID, ticket) in tickets {
            if reviews { ticket.reviewsPending.withLock { $0 = true } }
            if let span = committed[caseID], !ticket.couldRead(transaction) {
                ticket.committed.withLock { $0[keyPath: kind].insert(span) }
            }
            ticket.waker.wake()
        }
    }

    /// Tokens no longer in force (revoked, expired) among those of open streams and of `exports`, and those streams.
    private func openStreamsOfRevokedTokens(exports: Set<Int>, on connection: DatabaseConnection) throws -> (Set<Int>, [StreamTicket]) {
        let open = streams.withLock { all in all.values.flatMap { $0.values } }
        let tokenIDs = Set(open.compactMap(\.tokenID)).union(exports)
        guard !tokenIDs.isEmpty else { return ([], []) }
        let revoked = tokenIDs.subtracting(try TokenStore().active(among: tokenIDs.sorted(), on: connection))
        guard !revoked.isEmpty else { return ([], []) }
        return (revoked, open.filter { $0.tokenID.map(revoked.contains) ?? false })
    }

    /// Marks and wakes streams whose token was revoked: each ends at its next wake.
    private static func end(_ tickets: [StreamTicket], tokens: Int) {
        guard !tickets.isEmpty else { return }
        for ticket in tickets { ticket.revoke() }
        Log.info("live streams ended: their token was revoked", ["streams": .int(tickets.count), "tokens": .int(tokens)])
    }
}

/// What the hub holds of one open stream: how to wake it, whose token it
/// runs on, and whether that token has been revoked.
final class StreamTicket: @unchecked Sendable {
    let waker = StreamWaker()
    let tokenID: Int?
    /// The commits a new stream's client could read before it opened (nil: a resumed stream, which reads them).
    let openedAfter: CommitSnapshot?
    /// Review actions may have been recorded since the stream last read them (true at first).
    let reviewsPending = Locked(true)
    /// Times of rows committed since the stream last read them.
    let committed = Locked(CommittedSpans())
    private let revokedFlag = Locked(false)

    init(tokenID: Int?, openedAfter: CommitSnapshot?) {
        self.tokenID = tokenID
        self.openedAfter = openedAfter
    }

    var isRevoked: Bool { revokedFlag.value }

    /// Whether what `transaction` committed was there for a new stream's client to read before it opened.
    func couldRead(_ transaction: UInt64?) -> Bool {
        guard let transaction, let openedAfter else { return false }
        return openedAfter.sees(transaction)
    }

    func revoke() {
        revokedFlag.withLock { $0 = true }
        waker.wake()
    }
}
