import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// Streams `COPY … TO STDOUT` to the client a chunk at a time: libmicrohttpd
/// pulls, this reads rows from libpq as it goes, so memory stays flat
/// whatever the size of the export.
final class CopyOutStream: ResponseStream, @unchecked Sendable {
    private let pool: ConnectionPool
    private let connection: DatabaseConnection
    private let requestID: String
    private var buffer: [UInt8] = []
    private var offset = 0
    private var finished = false
    private let rewriter: (any CopyRowRewriter)?
    private var row: [UInt8] = []

    /// Its bytes stay out of the log: they are a patient's data.
    struct UnexpectedRow: Error, CustomStringConvertible {
        let bytes: Int
        var description: String { "COPY gave a row of an unexpected shape (\(bytes) bytes)" }
    }

    /// Starts the COPY at once, so a failing statement still becomes a proper error response.
    init(pool: ConnectionPool, statement: ExportStatements.Statement, requestID: String) throws {
        self.pool = pool
        self.requestID = requestID
        rewriter = Self.rewriter(for: statement)
        connection = try pool.checkout()
        do {
            try connection.beginCopyOut(statement.sql)
        } catch {
            pool.checkin(connection)
            throw error
        }
        buffer.reserveCapacity(128 * 1024)
    }

    func read(into destination: UnsafeMutableRawBufferPointer) -> StreamRead {
        do {
            while buffer.count - offset < destination.count && !finished {
                if let rewriter {
                    row.removeAll(keepingCapacity: true)
                    if try connection.readCopyData(into: &row) {
                        guard row.withUnsafeBufferPointer({ rewriter.append($0, to: &buffer) }) else {
                            throw UnexpectedRow(bytes: row.count)
                        }
                    } else {
                        finished = true
                    }
                } else if !(try connection.readCopyData(into: &buffer)) {
                    finished = true
                }
            }
        } catch {
            Log.error("export failed mid-stream", ["request_id": .string(requestID), "error": .string(String(describing: error))])
            return .failed
        }
        let available = buffer.count - offset
        if available == 0 { return .end }
        let count = min(available, destination.count)
        buffer.withUnsafeBytes { source in
            destination.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        if offset == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            offset = 0
        } else if offset > 64 * 1024 {
            buffer.removeFirst(offset)
            offset = 0
        }
        return .bytes(count)
    }

    /// Plain CSV rows from PostgreSQL: CSV gets ISO 8601 times, NDJSON a JSON line per row.
    static func rewriter(for statement: ExportStatements.Statement) -> (any CopyRowRewriter)? {
        guard let columns = statement.columns else { return nil }
        switch statement.format {
        case .csv: return columns.firstIndex { $0.kind == .time }.map { CSVTimeColumn(column: $0) }
        case .ndjson: return NDJSONRow(columns)
        }
    }

    func close() {
        // A COPY still running (the client went away) makes the pool close the connection.
        pool.checkin(connection)
    }
}
