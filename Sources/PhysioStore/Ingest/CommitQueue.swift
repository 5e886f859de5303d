import PhysioCore
import PhysioPlatform

/// The ingest queue the writers share.
///
/// A case is written by one writer at a time, in arrival order: a writer
/// passes over units whose cases another writer holds, and over any later
/// unit of those cases, so two writers never wait on each other's row locks
/// and one case's samples commit in the order they came.
///
/// The first writer takes whatever waits. The others join only while
/// `parallelRows` rows or more wait: one writer commits small groups more
/// cheaply (single-sample traffic), while under batched traffic a second
/// keeps PostgreSQL busy as the first one's commit flushes.
final class CommitQueue: @unchecked Sendable {
    // Condition 0 wakes the first writer, 1 the others: waking those on
    // every small request would cost a context switch each for nothing.
    private let condition = ConditionLock(conditions: 2)
    private var queue: [GroupCommitter.Pending] = []
    private var queuedRows = 0
    private var stopping = false
    private var holder: [String: Int] = [:]  // case id → the writer committing it
    private let maxQueuedRows: Int
    private let parallelRows: Int

    init(maxQueuedRows: Int, parallelRows: Int) {
        self.maxQueuedRows = maxQueuedRows
        self.parallelRows = parallelRows
    }

    /// False when the queue is full (one unit is always let in) or stopping.
    func enqueue(_ pending: GroupCommitter.Pending) -> Bool {
        condition.withLock {
            guard !stopping, queuedRows + pending.rows <= maxQueuedRows || queue.isEmpty else { return false }
            queue.append(pending)
            queuedRows += pending.rows
            condition.signal(0)
            if queuedRows >= parallelRows { condition.broadcast(1) }
            return true
        }
    }

    func stop() {
        condition.withLock {
            stopping = true
            wakeAll()
        }
    }

    /// Waits for work `writer` may take, then takes up to `maxRows` (always
    /// at least one unit) and holds its cases until `release(writer:)`. nil
    /// once stopping and the queue is empty.
    func nextGroup(writer: Int, maxRows: Int, maxWaitMicros: Int) -> [GroupCommitter.Pending]? {
        condition.withLock {
            while true {
                if queue.isEmpty && stopping { return nil }
                if !queue.isEmpty && (writer == 0 || queuedRows >= parallelRows || stopping) {
                    if writer == 0 && maxWaitMicros > 0 && queuedRows < maxRows && !stopping {
                        condition.wait(0, seconds: Double(maxWaitMicros) / 1e6)
                    }
                    if let group = take(writer: writer, maxRows: maxRows) { return group }
                }
                condition.wait(writer == 0 ? 0 : 1)
            }
        }
    }

    /// `writer` committed (or failed) its group: its cases are free again.
    func release(writer: Int) {
        condition.withLock {
            holder = holder.filter { $0.value != writer }
            wakeAll()
        }
    }

    private func wakeAll() {
        condition.broadcast(0)
        condition.broadcast(1)
    }

    /// Takes units in arrival order, passing over those of cases another
    /// writer holds or that an earlier passed-over unit has.
    private func take(writer: Int, maxRows: Int) -> [GroupCommitter.Pending]? {
        var passedCases: Set<String> = []
        var taken: [GroupCommitter.Pending] = []
        var kept: [GroupCommitter.Pending] = []
        var rows = 0
        for (index, pending) in queue.enumerated() {
            let blocked = pending.caseIDs.contains { caseID in
                (holder[caseID].map { $0 != writer } ?? false) || passedCases.contains(caseID)
            }
            if blocked {
                passedCases.formUnion(pending.caseIDs)
                kept.append(pending)
            } else if !taken.isEmpty && rows + pending.rows > maxRows {
                kept.append(contentsOf: queue[index...])
                break
            } else {
                taken.append(pending)
                rows += pending.rows
            }
        }
        guard !taken.isEmpty else { return nil }
        queue = kept
        queuedRows -= rows
        for pending in taken {
            for caseID in pending.caseIDs { holder[caseID] = writer }
        }
        return taken
    }
}
