import PhysioCore
import PhysioPlatform

/// Lets idle workers sleep until there may be work: a generation counter,
/// so a notification between "found nothing" and "wait" is not lost.
final class Wakeup: @unchecked Sendable {
    private let condition = ConditionLock()
    private var generation: UInt64 = 0

    var current: UInt64 { condition.withLock { generation } }

    func signal() {
        condition.withLock {
            generation &+= 1
            condition.broadcast()
        }
    }

    /// Returns when the generation moves past `seen` or after `seconds`.
    func wait(after seen: UInt64, seconds: Double) {
        condition.withLock {
            let deadline = Clock.monotonicNanos() + UInt64(seconds * 1e9)
            while generation == seen {
                let now = Clock.monotonicNanos()
                if now >= deadline { return }
                condition.wait(seconds: Double(deadline - now) / 1e9)
            }
        }
    }
}
