import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

/// `physio retention --raw '30 days'` on a thread of its own, for tests that
/// hold a lock meanwhile: `removed` is what it removed once `done` is
/// signalled (nil until then, or if it failed); a failure is recorded as an
/// issue and kept in `failure` for the test's messages.
struct BackgroundPurge {
    let removed = Locked<Retention.Removed?>(nil)
    let failure = Locked<String?>(nil)

    init(_ database: TestDatabase, signalling done: WaitGroup) {
        let (removed, failure) = (removed, failure)
        done.add()
        startThread {
            defer { done.done() }
            do {
                let result = try Retention(raw: "30 days", aggregates: nil).purge(on: database.connect())
                removed.withLock { $0 = result }
            } catch {
                failure.withLock { $0 = String(describing: error) }
                Issue.record("purge failed: \(error)")
            }
        }
    }
}
