import PhysioHTTP
import PhysioPlatform
import PhysioStore

/// The threads that run exports, one per export connection: each takes the
/// next admitted export, checks its case, starts `COPY … TO STDOUT`, answers
/// with an ExportPipe and fills it row by row (rewriting the rows for CSV's
/// ISO times or NDJSON) until the COPY ends or the client goes. A slow
/// client makes this thread and its COPY wait; no HTTP thread does.
final class ExportRunner: @unchecked Sendable {
    private let url: String
    private let capacity: ExportCapacity
    private let retention: RetentionNotice
    /// Where the stream hub's revocation check finds them.
    let running = RunningExports()
    private let threads = ServiceThreads()
    /// Bytes handed to the pipe at a time.
    static let chunkBytes = 64 << 10

    /// Its bytes stay out of the log: they are a patient's data.
    struct UnexpectedRow: Error, CustomStringConvertible {
        let bytes: Int
        var description: String { "COPY gave a row of an unexpected shape (\(bytes) bytes)" }
    }

    init(databaseURL: String, capacity: ExportCapacity, retention: RetentionNotice) {
        url = databaseURL
        self.capacity = capacity
        self.retention = retention
        for _ in 0..<max(1, capacity.settings.connections) {
            threads.start { [self] in serve() }
        }
    }

    /// After `capacity.stop()`: waits for the threads (their exports end with their clients).
    func stop() { threads.stop(waitingUpTo: 5) }

    private func serve() {
        var connection: DatabaseConnection?
        while let job = capacity.next() {
            run(job, connection: &connection)
            capacity.finished(job)
        }
    }

    private func run(_ job: ExportJob, connection: inout DatabaseConnection?) {
        let session: DatabaseConnection
        var headers = job.headers
        do {
            if let existing = connection, existing.checkAlive() {
                session = existing
            } else {
                connection = nil
                session = try DatabaseConnection(url: url, applicationName: "physio-export")
                connection = session
            }
            if let caseID = job.caseID, !(try CaseQueries().exists(caseID: caseID, on: session)) {
                return job.deferred.complete(CaseRoutes.unknown(caseID).response)
            }
            if let (data, from) = job.pastRetention,
               let notice = try retention.header(for: data, from: from, caseID: job.caseID, on: session) {
                headers.append(notice)
            }
            try session.beginCopyOut(job.statement.sql)
        } catch {
            if connection?.isOpen != true || connection?.isIdle != true { connection = nil }
            return job.deferred.complete(DatabaseProblems.answer(for: error, requestID: job.requestID).response)
        }
        let pipe = ExportPipe()
        let watch = running.start(tokenID: job.tokenID, requestID: job.requestID, pipe: pipe)
        defer { running.finish(watch) }
        job.deferred.complete(Response(contentType: job.statement.format.mediaType, stream: pipe, headers: headers))
        pump(session, into: pipe, rewriter: Self.rewriter(for: job.statement), requestID: job.requestID)
        // A COPY cut short (the client went away, or it failed) leaves the session mid-statement.
        if !session.isIdle || !session.isOpen { connection = nil }
    }

    private func pump(_ session: DatabaseConnection, into pipe: ExportPipe, rewriter: (any CopyRowRewriter)?, requestID: String) {
        var chunk: [UInt8] = []
        chunk.reserveCapacity(Self.chunkBytes + 8192)
        var row: [UInt8] = []
        do {
            while true {
                if let rewriter {
                    row.removeAll(keepingCapacity: true)
                    guard try session.readCopyData(into: &row) else { break }
                    guard row.withUnsafeBufferPointer({ rewriter.append($0, to: &chunk) }) else { throw UnexpectedRow(bytes: row.count) }
                } else {
                    guard try session.readCopyData(into: &chunk) else { break }
                }
                if chunk.count >= Self.chunkBytes {
                    guard pipe.write(chunk) else { return }   // the client has gone, or its token was revoked
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { _ = pipe.write(chunk) }
            pipe.finish()
        } catch {
            Log.error("export failed mid-stream", ["request_id": .string(requestID), "error": .string(String(describing: error))])
            pipe.fail()
        }
    }

    /// Plain CSV rows from PostgreSQL: CSV gets ISO 8601 times, NDJSON a JSON line per row.
    static func rewriter(for statement: ExportStatements.Statement) -> (any CopyRowRewriter)? {
        guard let columns = statement.columns else { return nil }
        switch statement.format {
        case .csv: return columns.firstIndex { $0.kind == .time }.map { CSVTimeColumn(column: $0) }
        case .ndjson: return NDJSONRow(columns)
        }
    }
}
