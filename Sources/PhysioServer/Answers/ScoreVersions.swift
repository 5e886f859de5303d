import PhysioCore
import PhysioPlatform

/// Per case, a number that changes whenever a worker commits scores or
/// episodes for it, learnt from the workers' NOTIFY (sent in the same
/// transaction) as the stream hub hears it, on whichever node they ran.
/// An answer built after reading a version holds at least what was
/// committed before it; a later commit changes the version once its
/// notification arrives (milliseconds: the same as having read a moment
/// earlier). While the hub is not listening there is no version, and
/// nothing is kept or served from memory.
final class ScoreVersions: Sendable {
    private struct State {
        var listening = false
        var counter: Int64 = 0
        /// The version of every case not in `latest`; raised when notifications may have been missed.
        var floor: Int64 = 0
        var latest: [String: Int64] = [:]
    }

    private let state = Locked(State())
    static let maxCases = 100_000

    func version(of caseID: String) -> Int64? {
        state.withLock { $0.listening ? ($0.latest[caseID] ?? $0.floor) : nil }
    }

    /// Scores committed for these cases; nil for any case.
    func scored(_ caseIDs: [String]?) {
        state.withLock { state in
            state.counter += 1
            if let caseIDs, state.latest.count + caseIDs.count <= Self.maxCases {
                for caseID in caseIDs { state.latest[caseID] = state.counter }
            } else {
                state.latest.removeAll()
                state.floor = state.counter
            }
        }
    }

    /// Listening starts or stops: whatever was built before may have missed news.
    func listening(_ listening: Bool) {
        state.withLock { state in
            state.listening = listening
            state.counter += 1
            state.floor = state.counter
            state.latest.removeAll()
        }
    }
}
