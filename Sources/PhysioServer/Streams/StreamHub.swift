import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// Wakes the live streams of a case when its samples or scores are
/// committed, whatever node wrote: the process's notification listener
/// tells it. Also wakes every stream every `heartbeatSeconds`, so idle
/// streams send a keep-alive (and a client that went away is noticed).
final class StreamHub: @unchecked Sendable {
    /// Told of every scores notification, before the streams wake.
    let scoreVersions = ScoreVersions()
    private let streams = Locked<[String: [ObjectIdentifier: StreamWaker]]>([:])

    init(listener: NotificationListener, heartbeatSeconds: Double = 15) {
        let scoreVersions = self.scoreVersions
        listener.onListening { [weak self] connection in
            scoreVersions.listening(connection != nil)
            if connection != nil { self?.wake(nil) }   // anything may have happened while no one listened
        }
        listener.subscribe(.caseEvents) { [weak self] payloads, _ in
            for payload in payloads {
                guard let event = CaseEvents.parse(payload) else { continue }
                if event.kind == .scores { scoreVersions.scored(event.caseIDs) }
                self?.wake(event.caseIDs)
            }
        }
        listener.every(heartbeatSeconds) { [weak self] _ in self?.wake(nil) }
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
}
