import PhysioCore
import PhysioStore

/// Keeps every API node's `SourceHistory` alike: the sources this node
/// stored go to the others over `physio_sources` (`SourceNotices`) as soon
/// as they are stored, sent by the notification listener (woken for it)
/// on its own session, and theirs come back into this node's history. A
/// first version told every 0.1 s: a gateway sending Bundles back to back
/// across two nodes had its first tenth of a second ranked apart (an
/// outside re-check). Apart from the history so that the request decoders
/// (and the fuzzer, which builds them alone) need no database.
enum SourceSharing {
    static func start(_ history: SourceHistory, listener: NotificationListener) {
        listener.subscribe(.sources) { [weak history] payloads, _ in
            guard let history else { return }
            for payload in payloads {
                history.learn(SourceNotices.parse(payload).map {
                    SourceHistory.Stored(caseID: $0.caseID, vital: $0.vital, rank: $0.rank, time: $0.time)
                })
            }
        }
        history.whenUntold { [weak listener] in listener?.wakeTasks() }
        listener.every(SourceHistory.tellSeconds, wakeable: true) { [weak history] connection in
            guard let history, let connection else { return }
            let untold = history.takeUntold()
            guard !untold.isEmpty else { return }
            do {
                try SourceNotices.notify(untold.map { SourceNotices.Notice(caseID: $0.caseID, vital: $0.vital, rank: $0.rank, time: $0.time) },
                                         on: connection)
            } catch {
                history.giveBack(untold)
                throw error
            }
        }
    }
}
