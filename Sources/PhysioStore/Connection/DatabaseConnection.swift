import CLibPQ
import PhysioCore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection. Not thread-safe: one thread uses it at a time
/// (the pool hands it out). Every session runs in UTC with ISO dates
/// (exports rewrite that text, CSVTimeColumn).
public final class DatabaseConnection {
    let connection: OpaquePointer
    public let applicationName: String
    /// SQL text → name of its prepared statement on this session.
    private var preparedNames: [String: String] = [:]
    private var nextPreparedID = 0

    public init(url: String, applicationName: String = "physio", connectTimeoutSeconds: Int = 5) throws {
        self.applicationName = applicationName
        // expand_dbname = 1: "dbname" carries the whole URL; the other keys
        // fill in what it leaves out.
        let keys = ["dbname", "application_name", "connect_timeout"]
        let values = [url, applicationName, String(connectTimeoutSeconds)]
        let connection: OpaquePointer? = withCStringArray(keys) { keyPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keyPointers, valuePointers, 1)
            }
        }
        guard let connection else { throw DatabaseError.unavailable("out of memory creating a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            // libpq may quote the URL, password included, when it cannot parse it.
            let message = DatabaseURL.scrub(String(cString: PQerrorMessage(connection)).trimmed, url: url)
            PQfinish(connection)
            throw DatabaseError.unavailable("cannot connect to PostgreSQL: \(message)")
        }
        self.connection = connection
        PQsetNoticeProcessor(connection, physioNoticeProcessor, nil)
        try execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO'")
    }

    deinit { PQfinish(connection) }

    /// False once the server has gone away; the pool then drops the connection.
    public var isOpen: Bool { PQstatus(connection) == CONNECTION_OK }

    /// Reads whatever the server sent while the connection sat idle: a
    /// restarted server has closed it, and this notices before a query fails.
    /// A server ending a session sends an error and then closes: one read
    /// takes the error (libpq passes it to the notice processor), only the
    /// next finds the end of the stream, so read while there is more.
    public func checkAlive() -> Bool {
        for _ in 0..<4 {
            guard PQconsumeInput(connection) == 1, isOpen else { return false }
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 0) <= 0 { return true }
        }
        return isOpen
    }

    public var isIdle: Bool { PQtransactionStatus(connection) == PQTRANS_IDLE }

    /// The socket, for waiting on notifications.
    public var socket: Int32 { PQsocket(connection) }

    /// Runs one or more statements without parameters (simple query protocol).
    @discardableResult
    public func execute(_ sql: String) throws -> QueryResult {
        try check(PQexec(connection, sql))
    }

    /// Runs one statement with parameters ($1, $2, …) sent as text; nil is NULL.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any SQLParameter] = []) throws -> QueryResult {
        let texts = parameters.map(\.sqlText)
        let result = withOptionalCStringArray(texts) { pointers in
            PQexecParams(connection, sql, Int32(texts.count), nil, pointers, nil, nil, 0)
        }
        return try check(result)
    }

    /// Like `query`, but the statement is parsed and planned once per
    /// connection (a named prepared statement; PostgreSQL moves to a
    /// generic plan when it costs no more). For the hot read paths, where
    /// planning cost as much as running. A session that lost its statements
    /// (a pooler's DISCARD ALL) or whose plan no longer fits the tables
    /// (a migration) prepares again once; inside a transaction, which that
    /// error has aborted, the caller's retry prepares it under a new name.
    @discardableResult
    public func query(prepared sql: String, _ parameters: [any SQLParameter] = []) throws -> QueryResult {
        let texts = parameters.map(\.sqlText)
        do {
            return try executePrepared(sql, texts)
        } catch let failure as DatabaseError where failure.isStalePreparedStatement {
            guard let name = preparedNames.removeValue(forKey: sql), isIdle else { throw failure }
            if failure.sqlState == "0A000" { try execute("DEALLOCATE \(name)") }
            return try executePrepared(sql, texts)
        }
    }

    /// `EXECUTE` of `sql`'s prepared statement with `literals` as its
    /// parameters, then `trailing` in the same round trip (`EXECUTE
    /// physio_3(E'{…}', …); COMMIT`), for the ingest commit, where a round
    /// trip costs more than the statement. Returns the last statement's
    /// result. A stale statement is forgotten, for the caller's retry.
    @discardableResult
    public func execute(prepared sql: String, literals: [String], then trailing: String) throws -> QueryResult {
        let name = try preparedName(for: sql, parameterCount: literals.count)
        let arguments = literals.map(Self.escapedLiteral).joined(separator: ", ")
        do {
            return try execute("EXECUTE \(name)(\(arguments)); \(trailing)")
        } catch let failure as DatabaseError where failure.isStalePreparedStatement {
            preparedNames.removeValue(forKey: sql)
            throw failure
        }
    }

    /// An escape string constant: the same text whatever
    /// standard_conforming_strings says.
    static func escapedLiteral(_ text: String) -> String {
        let quote = UInt8(ascii: "'"), backslash = UInt8(ascii: "\\")
        // The usual parameters (case ids, times, numbers) need no escaping;
        // this runs on the writer thread every commit, so skip the copy then.
        guard text.utf8.contains(where: { $0 == quote || $0 == backslash }) else { return "E'" + text + "'" }
        var bytes: [UInt8] = Array("E'".utf8)
        bytes.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            if byte == quote || byte == backslash { bytes.append(backslash) }
            bytes.append(byte)
        }
        bytes.append(quote)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func preparedName(for sql: String, parameterCount: Int) throws -> String {
        if let known = preparedNames[sql] { return known }
        let name = "physio_\(nextPreparedID)"
        _ = try check(PQprepare(connection, name, sql, Int32(parameterCount), nil))
        preparedNames[sql] = name
        nextPreparedID += 1
        return name
    }

    private func executePrepared(_ sql: String, _ parameters: [String?]) throws -> QueryResult {
        let name = try preparedName(for: sql, parameterCount: parameters.count)
        let result = withOptionalCStringArray(parameters) { pointers in
            PQexecPrepared(connection, name, Int32(parameters.count), pointers, nil, nil, 0)
        }
        return try check(result)
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if isOpen { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Streams `data` (already in the COPY format the statement names) to
    /// `COPY … FROM STDIN`; returns the number of rows copied.
    @discardableResult
    public func copyIn(_ sql: String, data: UnsafeRawBufferPointer) throws -> Int {
        let start = PQexec(connection, sql)
        guard PQresultStatus(start) == PGRES_COPY_IN else { _ = try check(start); throw error("COPY did not start") }
        PQclear(start)
        var offset = 0
        let chunk = 1 << 20
        while offset < data.count {
            let length = min(chunk, data.count - offset)
            let sent = PQputCopyData(connection, data.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self), Int32(length))
            guard sent == 1 else { throw error("COPY data could not be sent") }
            offset += length
        }
        guard PQputCopyEnd(connection, nil) == 1 else { throw error("COPY could not be finished") }
        var rows = 0
        while let result = PQgetResult(connection) {
            rows = try check(result).affectedRows
        }
        return rows
    }

    /// Starts `COPY … TO STDOUT`; call `readCopyData` until it returns nil.
    public func beginCopyOut(_ sql: String) throws {
        let start = PQexec(connection, sql)
        guard PQresultStatus(start) == PGRES_COPY_OUT else { _ = try check(start); throw error("COPY did not start") }
        PQclear(start)
    }

    /// Next row of a running COPY TO STDOUT, appended to `buffer`; false at the end.
    public func readCopyData(into buffer: inout [UInt8]) throws -> Bool {
        var pointer: UnsafeMutablePointer<CChar>?
        let length = PQgetCopyData(connection, &pointer, 0)
        if length > 0, let pointer {
            pointer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
                buffer.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(length)))
            }
            PQfreemem(pointer)
            return true
        }
        if length == -2 { throw error("COPY failed") }
        while let result = PQgetResult(connection) { _ = try check(result) }
        return false
    }

    /// Reads notifications that have arrived, without blocking. With
    /// `readingSocket` false, only those libpq already read along with a
    /// query's result: the socket shows nothing for them.
    public func drainNotifications(readingSocket: Bool = true) throws -> [(channel: String, payload: String)] {
        guard !readingSocket || PQconsumeInput(connection) == 1 else { throw error("connection lost") }
        var notifications: [(String, String)] = []
        while let notify = PQnotifies(connection) {
            notifications.append((String(cString: notify.pointee.relname), String(cString: notify.pointee.extra)))
            PQfreemem(notify)
        }
        return notifications
    }

    private func error(_ context: String) -> DatabaseError {
        let message = String(cString: PQerrorMessage(connection)).trimmed
        return DatabaseError(message: "\(context): \(message)", isUnavailable: !isOpen)
    }

    private func check(_ result: OpaquePointer?) throws -> QueryResult {
        guard let result else { throw error("no result") }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_COPY_OUT:
            return QueryResult(result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? String(cString: PQresultErrorMessage(result)).trimmed
            PQclear(result)
            throw DatabaseError(message: message, sqlState: state,
                                isUnavailable: !isOpen || DatabaseError.isUnavailableState(state))
        }
    }
}

/// Server notices (NOTICE, WARNING) go to the structured log instead of
/// libpq's default of printing them on standard error.
private func physioNoticeProcessor(_ argument: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?) {
    guard let message else { return }
    let text = String(cString: message).trimmed
    Log.write(text.hasPrefix("WARNING") ? .warning : .debug, "database notice", ["detail": .string(text)])
}

extension String {
    var trimmed: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        return String(text)
    }
}

func withCStringArray<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    withOptionalCStringArray(strings) { body($0) }
}

/// Null-terminated array of C strings (nil entries stay NULL) alive for `body`.
func withOptionalCStringArray<T>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
    defer { copies.forEach { free($0) } }
    var pointers = copies.map { UnsafePointer($0) }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
