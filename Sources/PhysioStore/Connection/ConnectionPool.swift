import PhysioCore
import PhysioPlatform

/// Hands out connections to one database, at most `maxConnections` at once.
/// A connection that failed at the server is closed, not returned, so after
/// a database restart the next request simply opens a fresh one. On an
/// event-loop thread only an idle connection is handed out: waiting for one,
/// or opening one (up to the connect timeout when the database is
/// unreachable), throws `WouldBlock` there instead.
public final class ConnectionPool: @unchecked Sendable {
    public let url: String
    public let maxConnections: Int
    private let applicationName: String
    private let acquireTimeoutSeconds: Double
    private let state = ConditionLock()
    private var idle: [DatabaseConnection] = []
    private var open = 0

    public init(url: String, maxConnections: Int, applicationName: String = "physio", acquireTimeoutSeconds: Double = 5) {
        self.url = url
        self.maxConnections = max(1, maxConnections)
        self.applicationName = applicationName
        self.acquireTimeoutSeconds = acquireTimeoutSeconds
    }

    /// Runs `body` with a connection. Database errors pass through; a
    /// connection left broken or mid-transaction is discarded.
    public func withConnection<T>(_ body: (DatabaseConnection) throws -> T) throws -> T {
        let connection = try acquire()
        do {
            let value = try body(connection)
            release(connection)
            return value
        } catch {
            release(connection)
            throw error
        }
    }

    /// A connection held beyond one call (a streamed export); give it back
    /// with `checkin`. One left mid-statement is closed, not reused.
    public func checkout() throws -> DatabaseConnection { try acquire() }

    public func checkin(_ connection: DatabaseConnection) { release(connection) }

    /// Connections open now (idle and in use).
    public var openConnections: Int { state.withLock { open } }

    /// Closes idle connections (after a database restart they are all dead).
    public func closeIdle() {
        let dropped: [DatabaseConnection] = state.withLock {
            defer { idle.removeAll() }
            open -= idle.count
            return idle
        }
        _ = dropped
    }

    private func acquire() throws -> DatabaseConnection {
        let start = Clock.monotonicNanos()
        let mayWait = !EventLoopThread.isCurrent
        state.lock()
        while true {
            if let connection = idle.popLast() {
                state.unlock()
                if connection.checkAlive() { return connection }
                state.lock()
                open -= 1
                continue
            }
            guard mayWait else {
                state.unlock()
                throw WouldBlock("a database connection")
            }
            if open < maxConnections {
                open += 1
                state.unlock()
                do {
                    return try DatabaseConnection(url: url, applicationName: applicationName)
                } catch {
                    state.withLock { open -= 1; state.signal() }
                    throw error
                }
            }
            let waited = Double(Clock.monotonicNanos() - start) / 1e9
            if waited >= acquireTimeoutSeconds || !state.wait(seconds: acquireTimeoutSeconds - waited) {
                if idle.isEmpty && open >= maxConnections {
                    state.unlock()
                    throw DatabaseError.unavailable("all \(maxConnections) database connections are busy")
                }
            }
        }
    }

    private func release(_ connection: DatabaseConnection) {
        var reusable = connection.isOpen
        if reusable && !connection.isIdle {
            reusable = (try? connection.execute("ROLLBACK")) != nil && connection.isIdle
        }
        state.withLock {
            if reusable { idle.append(connection) } else { open -= 1 }
            state.signal()
        }
    }
}
