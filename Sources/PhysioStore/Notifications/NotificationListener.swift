import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// One LISTEN connection per process, serving every channel: worker pools
/// and live streams subscribe to what they need. It reconnects when the
/// database goes away (subscribers hear of both edges, since notifications
/// sent meanwhile are lost to them) and runs periodic tasks between waits.
public final class NotificationListener: @unchecked Sendable {
    /// Told of a channel's payloads, several per call when they arrived together.
    public typealias Handler = @Sendable (_ payloads: [String], _ connection: DatabaseConnection) throws -> Void
    /// Told when listening starts (with the connection, after LISTEN) and
    /// stops (nil): anything may have happened while no one listened.
    public typealias ListeningHandler = @Sendable (_ connection: DatabaseConnection?) throws -> Void
    /// Run every so often, with the connection while there is one.
    public typealias Task = @Sendable (_ connection: DatabaseConnection?) throws -> Void

    private struct Periodic {
        let seconds: Double
        /// Run at once, not at its next time, when `wakeTasks` is called.
        let wakeable: Bool
        let task: Task
        var last: UInt64 = 0
    }

    private struct Subscriptions {
        var handlers: [NotificationChannel: [Handler]] = [:]
        var listening: [ListeningHandler] = []
        /// Listening handlers added since the current session started, not told yet.
        var untold: [ListeningHandler] = []
        var periodic: [Periodic] = []
        /// Channels subscribed to since the connection last ran LISTEN.
        var unlistened: Set<NotificationChannel> = []
        /// `wakeTasks` was called since the wakeable tasks last ran.
        var woken = false
    }

    private let url: String
    private let applicationName: String
    private let retrySeconds: Double
    private let subscriptions = Locked(Subscriptions())
    private let threads = ServiceThreads()
    /// A pipe whose read end the wait polls beside the session's socket: `wakeTasks` writes to it.
    private let wakePipe: (read: Int32, write: Int32)
    private let started = Locked(false)

    public init(databaseURL: String, applicationName: String = "physio-listener", retrySeconds: Double = 1) {
        url = databaseURL
        self.applicationName = applicationName
        self.retrySeconds = retrySeconds
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
        } else {
            ends = [-1, -1]   // no pipe: wakeable tasks keep their times
        }
        wakePipe = (ends[0], ends[1])
    }

    deinit {
        if wakePipe.read >= 0 { close(wakePipe.read); close(wakePipe.write) }
    }

    /// `handler` runs on the listener's thread for each batch of `channel`'s notifications.
    public func subscribe(_ channel: NotificationChannel, _ handler: @escaping Handler) {
        subscriptions.withLock {
            $0.handlers[channel, default: []].append(handler)
            $0.unlistened.insert(channel)
        }
    }

    /// `handler` runs on the listener's thread whenever listening starts or
    /// stops; added while listening, it is told once the session listens to
    /// the channels subscribed with it.
    public func onListening(_ handler: @escaping ListeningHandler) {
        subscriptions.withLock {
            $0.listening.append(handler)
            $0.untold.append(handler)
        }
    }

    /// Runs `task` every `seconds` on the listener's thread, connected or
    /// not; a `wakeable` one also as soon as `wakeTasks` is called.
    public func every(_ seconds: Double, wakeable: Bool = false, _ task: @escaping Task) {
        subscriptions.withLock { $0.periodic.append(Periodic(seconds: seconds, wakeable: wakeable, task: task)) }
    }

    /// Runs the wakeable tasks at once, from any thread: news to send now
    /// rather than at the task's next time.
    public func wakeTasks() {
        let first = subscriptions.withLock { state in defer { state.woken = true }; return !state.woken }
        guard first, wakePipe.write >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
    }

    /// Starts the thread; later calls do nothing.
    public func start() {
        let first = started.withLock { was in defer { was = true }; return !was }
        guard first else { return }
        threads.start { [self] in run() }
    }

    public func stop() {
        guard started.value else { return }
        threads.stop(waitingUpTo: 5)
    }

    private func run() {
        var connection: DatabaseConnection?
        var lastWarning: UInt64?
        while !threads.isStopping {
            do {
                if connection == nil { connection = try connect() }
                runPeriodic(connection)
                guard let current = connection else { continue }
                // A task's query may have found the session dead: libpq then
                // closes the socket, which poll() ignores, so nothing else
                // would ever notice (seen after a failover: leases never rescued).
                guard current.isOpen else { throw DatabaseError.unavailable("the listening session was closed") }
                try listenToNew(on: current)
                for handler in subscriptions.withLock({ state in defer { state.untold = [] }; return state.untold }) {
                    try handler(current)
                }
                // A task's or handler's query may have read notifications with its result.
                var arrived = try current.drainNotifications(readingSocket: false)
                if arrived.isEmpty {
                    guard waitReadable(current.socket, seconds: pollSeconds) else { continue }
                    arrived = try current.drainNotifications()
                }
                let byChannel = Dictionary(grouping: arrived, by: \.channel)
                let handlers = subscriptions.value.handlers
                for (name, notifications) in byChannel {
                    guard let channel = NotificationChannel(rawValue: name) else { continue }
                    for handler in handlers[channel] ?? [] { try handler(notifications.map(\.payload), current) }
                }
            } catch {
                // Each loss, and every minute while the database stays away (not every retry).
                let now = Clock.monotonicNanos()
                if connection != nil || lastWarning.map({ now - $0 > 60_000_000_000 }) ?? true {
                    Log.warning("notification listener lost the database; reconnecting",
                                ["channels": .string(channelNames), "error": .string(String(describing: error))])
                    lastWarning = now
                }
                if connection != nil { lost() }
                connection = nil
                runPeriodic(nil)
                Clock.sleep(seconds: retrySeconds)
            }
        }
        if connection != nil { lost() }
    }

    /// A new session listening to every subscribed channel, its subscribers told.
    private func connect() throws -> DatabaseConnection {
        let fresh = try DatabaseConnection(url: url, applicationName: applicationName)
        subscriptions.withLock {
            $0.unlistened = Set($0.handlers.keys)
            $0.untold = []
        }
        try listenToNew(on: fresh)
        do {
            for handler in subscriptions.value.listening { try handler(fresh) }
        } catch {
            lost()
            throw error
        }
        return fresh
    }

    private func listenToNew(on connection: DatabaseConnection) throws {
        let channels = subscriptions.withLock { state in defer { state.unlistened = [] }; return state.unlistened }
        guard !channels.isEmpty else { return }
        try connection.execute(channels.map { "LISTEN \($0.rawValue)" }.sorted().joined(separator: "; "))
    }

    private func lost() {
        for handler in subscriptions.value.listening { try? handler(nil) }
    }

    private func runPeriodic(_ connection: DatabaseConnection?) {
        let now = Clock.monotonicNanos()
        let due: [Task] = subscriptions.withLock { state in
            var due: [Task] = []
            let woken = state.woken
            state.woken = false
            for index in state.periodic.indices
            where now - state.periodic[index].last >= UInt64(state.periodic[index].seconds * 1e9) || woken && state.periodic[index].wakeable {
                state.periodic[index].last = now
                due.append(state.periodic[index].task)
            }
            return due
        }
        for task in due {
            do { try task(connection) } catch {
                Log.warning("periodic task failed", ["error": .string(String(describing: error))])
            }
        }
    }

    /// Wakes at least twice a second, and as often as the most frequent task.
    private var pollSeconds: Double {
        subscriptions.value.periodic.map(\.seconds).reduce(0.5, min)
    }

    private var channelNames: String {
        subscriptions.value.handlers.keys.map(\.rawValue).sorted().joined(separator: ",")
    }

    /// Whether the session's socket turned readable within `seconds`; a
    /// wake (`wakeTasks`) ends the wait too, so the loop runs its tasks.
    private func waitReadable(_ socket: Int32, seconds: Double) -> Bool {
        var descriptors = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0)]
        guard poll(&descriptors, wakePipe.read >= 0 ? 2 : 1, Int32(max(seconds, 0.001) * 1000)) > 0 else { return false }
        if descriptors[1].revents != 0 {
            var drained = [UInt8](repeating: 0, count: 64)
            while read(wakePipe.read, &drained, drained.count) > 0 {}
        }
        return descriptors[0].revents != 0
    }
}
