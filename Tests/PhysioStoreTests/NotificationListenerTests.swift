import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct NotificationListenerTests {
    /// A periodic task whose query finds the session gone (a failover, a
    /// killed backend) leaves libpq with no socket to wait on: the listener
    /// must notice and open a new session, or the tasks (the workers' lease
    /// rescue) fail forever.
    @Test func aSessionThatDiesUnderAPeriodicTaskIsReplaced() throws {
        let database = try TestDatabase.create()
        let listener = NotificationListener(databaseURL: database.url, retrySeconds: 0.1)
        let sessions = Locked<[String]>([])
        let reconnects = Locked(0)
        listener.onListening { connection in if connection != nil { reconnects.withLock { $0 += 1 } } }
        listener.every(0.05) { connection in
            guard let connection else { return }
            let pid = try connection.query("SELECT pg_backend_pid()::text").string(0, 0) ?? ""
            let first = sessions.withLock { seen in
                defer { if !seen.contains(pid) { seen.append(pid) } }
                return seen.isEmpty
            }
            // The first session ends itself in the middle of a task.
            if first { _ = try? connection.query("SELECT pg_terminate_backend(pg_backend_pid())") }
        }
        listener.start()
        defer { listener.stop() }
        #expect(waitUntil(seconds: 10) { sessions.value.count >= 2 }, "sessions seen: \(sessions.value)")
        #expect(reconnects.value >= 2)
    }

    /// A notification that arrives while a periodic task's query runs on
    /// the listening session is read by libpq with the query's result, so
    /// its socket never turns readable for it: it must still be handed on
    /// at once (it used to wait for the next notification, and retention's
    /// "rows removed" could leave answers kept in memory for a minute).
    @Test func aNotificationReadWithATasksResultIsHandedOn() throws {
        let database = try TestDatabase.create()
        let listener = NotificationListener(databaseURL: database.url, retrySeconds: 0.1)
        let heard = Locked<[String]>([])
        let taskRunning = Locked(false), taskDone = Locked(false)
        listener.subscribe(.caseEvents) { payloads, _ in heard.withLock { $0 += payloads } }
        listener.every(0.05) { connection in
            guard let connection, !taskDone.value else { return }
            taskRunning.withLock { $0 = true }
            _ = try connection.query("SELECT pg_sleep(1)")
            taskDone.withLock { $0 = true }
        }
        listener.start()
        defer { listener.stop() }
        #expect(waitUntil(seconds: 10) { taskRunning.value })
        let sender = try database.connect()
        try sender.query("SELECT pg_notify($1, 'd *')", [CaseEvents.channel])
        #expect(waitUntil(seconds: 10) { taskDone.value })
        #expect(waitUntil(seconds: 3) { heard.value == ["d *"] }, "heard: \(heard.value)")
    }

    /// A wakeable task runs as soon as `wakeTasks` is called, not at its
    /// next time (an API node tells the others a source it stored at once);
    /// other tasks keep their times.
    @Test func aWakeableTaskRunsWhenWoken() throws {
        let database = try TestDatabase.create()
        let listener = NotificationListener(databaseURL: database.url, retrySeconds: 0.1)
        let wakeable = Locked(0), other = Locked(0)
        listener.every(60, wakeable: true) { _ in wakeable.withLock { $0 += 1 } }
        listener.every(60) { _ in other.withLock { $0 += 1 } }
        listener.start()
        defer { listener.stop() }
        #expect(waitUntil(seconds: 5) { wakeable.value == 1 && other.value == 1 }, "both run once at the start")
        for round in 2...4 {
            listener.wakeTasks()
            #expect(waitUntil(seconds: 5) { wakeable.value == round }, "round \(round): \(wakeable.value)")
        }
        #expect(other.value == 1)
    }
}
