import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Wakes the live streams of a case when its samples or scores are
/// committed: one LISTEN connection per server process, whatever node wrote.
/// Also wakes every stream every `heartbeatSeconds`, so idle streams send a
/// keep-alive (and a client that went away is noticed).
final class StreamHub: @unchecked Sendable {
    private let url: String
    private let heartbeatSeconds: Double
    /// Told of every scores notification, before the streams wake.
    let scoreVersions = ScoreVersions()
    private let streams = Locked<[String: [ObjectIdentifier: StreamWaker]]>([:])
    private let stopping = Locked(false)
    private let finished = WaitGroup()
    private var started = false

    init(databaseURL: String, heartbeatSeconds: Double = 15) {
        self.url = databaseURL
        self.heartbeatSeconds = heartbeatSeconds
    }

    func start() {
        guard !started else { return }
        started = true
        finished.add()
        startThread { [self] in listen(); finished.done() }
    }

    func stop() {
        guard started else { return }
        stopping.withLock { $0 = true }
        finished.wait(seconds: 5)
    }

    func register(caseID: String, stream: ObjectIdentifier, waker: StreamWaker) {
        streams.withLock { $0[caseID, default: [:]][stream] = waker }
    }

    func unregister(caseID: String, stream: ObjectIdentifier) {
        streams.withLock { all in
            all[caseID]?.removeValue(forKey: stream)
            if all[caseID]?.isEmpty == true { all.removeValue(forKey: caseID) }
        }
    }

    /// Wakes the streams of `caseIDs`, or all of them for nil.
    func wake(_ caseIDs: [String]?) {
        let wakers: [StreamWaker] = streams.withLock { all in
            guard let caseIDs else { return all.values.flatMap { $0.values } }
            return caseIDs.flatMap { all[$0].map { Array($0.values) } ?? [] }
        }
        wakers.forEach { $0.wake() }
    }

    private func listen() {
        var connection: DatabaseConnection?
        var lastHeartbeat = Clock.monotonicNanos()
        while !stopping.value {
            let now = Clock.monotonicNanos()
            if Double(now - lastHeartbeat) / 1e9 >= heartbeatSeconds {
                lastHeartbeat = now
                wake(nil)
            }
            do {
                if connection == nil {
                    let fresh = try DatabaseConnection(url: url, applicationName: "physio-streams")
                    try fresh.execute("LISTEN \(CaseEvents.channel)")
                    connection = fresh
                    scoreVersions.listening(true)
                    wake(nil)   // anything may have happened while we were not listening
                }
                var descriptor = pollfd(fd: connection!.socket, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 500) > 0 else { continue }
                for notification in try connection!.drainNotifications() {
                    guard let event = CaseEvents.parse(notification.payload) else { continue }
                    if event.kind == .scores { scoreVersions.scored(event.caseIDs) }
                    wake(event.caseIDs)
                }
            } catch {
                connection = nil
                scoreVersions.listening(false)
                Log.warning("live streams lost the database; reconnecting", ["error": .string(String(describing: error))])
                Clock.sleep(seconds: 1)
            }
        }
        scoreVersions.listening(false)
    }
}
