import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PhysioCore
import PhysioPlatform

/// Blocking HTTP GETs over URLSession (libcurl on Linux, so https works
/// without another package), for worker threads that download one file at a
/// time. Files are written under a temporary name and renamed when complete.
public final class HTTPDownloader: Sendable {
    private let session: URLSession
    /// Extra attempts after a transient failure (5xx, broken transfer), with
    /// 1 s, 2 s, … between them.
    public let retries: Int

    public init(requestTimeout: Double = 30, retries: Int = 2) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = requestTimeout     // silence between bytes
        configuration.timeoutIntervalForResource = 6 * 3600          // a whole large file
        configuration.httpAdditionalHeaders = ["User-Agent": "physio (VitalDB open dataset client)"]
        session = URLSession(configuration: configuration)
        self.retries = retries
    }

    deinit { session.finishTasksAndInvalidate() }

    /// The body of `url`.
    public func get(_ url: String) throws -> [UInt8] {
        try withRetries {
            let (data, _) = try self.perform(url) { request, finish in
                self.session.dataTask(with: request) { data, response, error in
                    finish(data.map { [UInt8]($0) }, response, error)
                }
            }
            return data
        }
    }

    /// Saves the body of `url` at `path` (complete or not at all) and returns
    /// its size. `validate` sees the first bytes and throws to reject the body.
    @discardableResult
    public func download(_ url: String, to path: String, validate: ([UInt8]) throws -> Void = { _ in }) throws -> Int {
        try withRetries {
            let temporary = AtomicFile.temporaryPath(for: path)
            defer { unlink(temporary) }
            _ = try self.perform(url) { request, finish in
                self.session.downloadTask(with: request) { location, response, error in
                    // The file at `location` is deleted when this handler returns: move it now.
                    var moveError: Error?
                    if let location {
                        do { try FileManager.default.moveItem(at: location, to: URL(fileURLWithPath: temporary)) } catch { moveError = error }
                    }
                    finish(location == nil ? nil : [], response, error ?? moveError)
                }
            }
            let size = AtomicFile.size(temporary) ?? 0
            try validate(try Self.prefix(of: temporary, count: 16))
            try AtomicFile.rename(temporary, to: path)
            return size
        }
    }

    private func withRetries<T>(_ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch let error as VitalDBError where error.isTransient && attempt < retries {
                attempt += 1
                Log.warning("retrying download", ["error": .string(error.description), "attempt": .int(attempt)])
                Clock.sleep(seconds: Double(attempt))
            }
        }
    }

    /// Runs one task to completion and maps failures to `VitalDBError`.
    private func perform(
        _ url: String,
        _ makeTask: (URLRequest, @escaping @Sendable ([UInt8]?, URLResponse?, Error?) -> Void) -> URLSessionTask
    ) throws -> ([UInt8], HTTPURLResponse) {
        guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https" else {
            throw VitalDBError.invalidURL(url)
        }
        let outcome = TaskOutcome()
        let task = makeTask(URLRequest(url: parsed)) { data, response, error in outcome.finish(data, response, error) }
        task.resume()
        let (data, response, error) = outcome.wait()
        if let error { throw Self.classify(error, url: url, host: parsed.host ?? url) }
        guard let http = response as? HTTPURLResponse else { throw VitalDBError.transfer(url: url, reason: "no HTTP response") }
        guard http.statusCode == 200 else { throw VitalDBError.http(url: url, status: http.statusCode) }
        return (data ?? [], http)
    }

    static func classify(_ error: Error, url: String, host: String) -> VitalDBError {
        guard let urlError = error as? URLError else {
            return .transfer(url: url, reason: String(describing: error))
        }
        switch urlError.code {
        case .notConnectedToInternet, .cannotFindHost, .dnsLookupFailed, .cannotConnectToHost, .timedOut,
             .internationalRoamingOff, .dataNotAllowed:
            return .unreachable(host: host, reason: urlError.localizedDescription)
        default:
            return .transfer(url: url, reason: urlError.localizedDescription)
        }
    }

    /// Up to `count` first bytes of a file.
    static func prefix(of path: String, count: Int) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw DataFileError.cannotOpen(path) }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = fread(&bytes, 1, count, file)
        return Array(bytes[0..<read])
    }
}

/// Hands a completion handler's results to the waiting thread.
private final class TaskOutcome: @unchecked Sendable {
    private let condition = ConditionLock()
    private var result: ([UInt8]?, URLResponse?, Error?)?

    func finish(_ data: [UInt8]?, _ response: URLResponse?, _ error: Error?) {
        condition.withLock {
            result = (data, response, error)
            condition.broadcast()
        }
    }

    func wait() -> ([UInt8]?, URLResponse?, Error?) {
        condition.withLock {
            while result == nil { condition.wait() }
            return result!
        }
    }
}
