import PhysioCore
@testable import PhysioStore
import Testing
import PhysioPlatform

/// Which writer takes what: a case is in one writer's group at a time, in
/// arrival order, and writers beyond the first wait for a deep queue.
struct CommitQueueTests {
    static func unit(_ caseIDs: String..., rows: Int = 10) -> GroupCommitter.Pending {
        let batches = caseIDs.map { caseID in
            var batch = SampleBatch(caseID: caseID)
            for second in 0..<rows { batch.appendRow(timestamp: Int64(second) * 1_000_000) }
            return batch
        }
        return GroupCommitter.Pending(unit: IngestUnit(batches)) { _ in }
    }

    static func cases(_ group: [GroupCommitter.Pending]?) -> [String] {
        (group ?? []).map { $0.unit.batches.map(\.caseID).joined(separator: "+") }
    }

    /// nextGroup without blocking: waits only if nothing can be taken, so
    /// the test asks from another thread and gives up after a moment.
    static func tryNext(_ queue: CommitQueue, writer: Int, maxRows: Int = 1_000) -> [GroupCommitter.Pending]? {
        let result = Locked<[GroupCommitter.Pending]?>(nil)
        let done = WaitGroup()
        done.add()
        startThread {
            result.withLock { $0 = queue.nextGroup(writer: writer, maxRows: maxRows, maxWaitMicros: 0) }
            done.done()
        }
        if done.wait(seconds: 0.2) { return result.value }
        // Let the waiting thread go: stopping, with nothing held, any writer drains.
        queue.stop()
        queue.release(writer: 0)
        queue.release(writer: 1)
        _ = done.wait(seconds: 5)
        return nil
    }

    @Test func theFirstWriterTakesEverythingInArrivalOrder() {
        let queue = CommitQueue(maxQueuedRows: 1_000, parallelRows: 100)
        for caseID in ["a", "b", "a", "c"] { #expect(queue.enqueue(Self.unit(caseID))) }
        #expect(Self.cases(Self.tryNext(queue, writer: 0)) == ["a", "b", "a", "c"])
    }

    @Test func aGroupStopsAtMaxRowsButAlwaysTakesOneUnit() {
        let queue = CommitQueue(maxQueuedRows: 1_000, parallelRows: 100)
        #expect(queue.enqueue(Self.unit("big", rows: 50)))
        #expect(queue.enqueue(Self.unit("small", rows: 10)))
        #expect(Self.cases(Self.tryNext(queue, writer: 0, maxRows: 20)) == ["big"])
        #expect(Self.cases(Self.tryNext(queue, writer: 0, maxRows: 20)) == ["small"])
    }

    @Test func aSecondWriterWaitsForADeepQueue() {
        let queue = CommitQueue(maxQueuedRows: 1_000, parallelRows: 30)
        #expect(queue.enqueue(Self.unit("a")))
        #expect(queue.enqueue(Self.unit("b")))
        #expect(Self.tryNext(queue, writer: 1) == nil, "20 rows wait, fewer than 30")

        let deeper = CommitQueue(maxQueuedRows: 1_000, parallelRows: 30)
        for caseID in ["a", "b", "c"] { #expect(deeper.enqueue(Self.unit(caseID))) }
        #expect(Self.cases(Self.tryNext(deeper, writer: 1)) == ["a", "b", "c"])
    }

    @Test func casesAnotherWriterHoldsWaitAndSoDoesEverythingBehindThem() {
        let queue = CommitQueue(maxQueuedRows: 1_000, parallelRows: 0)
        #expect(queue.enqueue(Self.unit("a")))
        #expect(Self.cases(Self.tryNext(queue, writer: 0)) == ["a"])
        // Writer 0 now holds "a". A two-case unit with "a" waits, and so does
        // the later "b" unit behind it, so "b" keeps its order too.
        for unit in [Self.unit("a"), Self.unit("b"), Self.unit("a", "b"), Self.unit("b"), Self.unit("c")] {
            #expect(queue.enqueue(unit))
        }
        #expect(Self.cases(Self.tryNext(queue, writer: 1)) == ["b", "c"])
        queue.release(writer: 1)
        #expect(Self.tryNext(queue, writer: 1) == nil, "'a' is still held by writer 0")
    }

    @Test func releasedCasesGoToTheNextWriterInOrder() {
        let queue = CommitQueue(maxQueuedRows: 1_000, parallelRows: 0)
        #expect(queue.enqueue(Self.unit("a")))
        #expect(Self.cases(Self.tryNext(queue, writer: 0)) == ["a"])
        #expect(queue.enqueue(Self.unit("a", rows: 1)))
        #expect(queue.enqueue(Self.unit("a", rows: 2)))
        queue.release(writer: 0)
        let group = Self.tryNext(queue, writer: 1)
        #expect(group?.map(\.rows) == [1, 2])
    }

    @Test func aFullQueueRefusesAndAStoppedQueueDrainsThenEnds() {
        let queue = CommitQueue(maxQueuedRows: 25, parallelRows: 1_000)
        #expect(queue.enqueue(Self.unit("a")))
        #expect(queue.enqueue(Self.unit("b")))
        #expect(!queue.enqueue(Self.unit("c")), "30 rows would exceed 25")
        queue.stop()
        #expect(!queue.enqueue(Self.unit("d")))
        #expect(Self.cases(queue.nextGroup(writer: 1, maxRows: 1_000, maxWaitMicros: 0)) == ["a", "b"], "stopping, any writer drains")
        #expect(queue.nextGroup(writer: 0, maxRows: 1_000, maxWaitMicros: 0) == nil)
    }
}
