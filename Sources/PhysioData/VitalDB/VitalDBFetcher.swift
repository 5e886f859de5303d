import PhysioCore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Where a fetch puts things.
public struct VitalDBFetchOptions: Sendable {
    /// Downloads: `cases.csv.gz`, `trks.csv.gz`, `vital/NNNN.vital`.
    public var cacheDirectory: String
    /// Case CSVs `case_NNNN.csv.gz` and `cases.csv` (the clinical rows of the fetched cases).
    public var outputDirectory: String
    public var baseURL = VitalDBEndpoints.defaultBaseURL
    /// Cases downloaded and converted at once.
    public var concurrency = 4
    public var gzipOutput = true

    public init(cacheDirectory: String, outputDirectory: String? = nil) {
        self.cacheDirectory = cacheDirectory
        self.outputDirectory = outputDirectory ?? cacheDirectory + "/csv"
    }
}

/// What happened to one case.
public struct VitalDBCaseResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case converted      // downloaded now, or converted from a cached .vital
        case alreadyDone    // .vital and CSV were both in place
        case failed(String)
    }

    public let caseID: Int
    public let outcome: Outcome
    public let downloadedBytes: Int   // 0 when the .vital came from the cache
    public let rows: Int              // rows written (0 when skipped or failed)
    public let csvPath: String
    public let tracks: String         // the track selection, when converted
}

/// Downloads VitalDB open-dataset cases and converts them to case CSVs,
/// several at a time, resumable: a file exists under its final name only
/// when complete, and what exists is not fetched or converted again.
public final class VitalDBFetcher: Sendable {
    public let options: VitalDBFetchOptions
    public let endpoints: VitalDBEndpoints
    private let downloader: HTTPDownloader

    public init(options: VitalDBFetchOptions, downloader: HTTPDownloader = HTTPDownloader()) {
        self.options = options
        endpoints = VitalDBEndpoints(baseURL: options.baseURL)
        self.downloader = downloader
    }

    private var vitalDirectory: String { options.cacheDirectory + "/vital" }

    public func vitalPath(caseID: Int) -> String { vitalDirectory + "/" + VitalDBEndpoints.vitalFileName(caseID: caseID) }

    public func csvPath(caseID: Int) -> String {
        options.outputDirectory + "/case_" + zeroPadded(caseID, width: 4) + (options.gzipOutput ? ".csv.gz" : ".csv")
    }

    /// The `cases` table, from the cache or downloaded into it.
    public func caseTable() throws -> VitalDBCaseTable {
        try VitalDBCaseTable(try table(endpoints.cases, cachedAs: "cases.csv.gz"))
    }

    /// The `trks` table, from the cache or downloaded into it.
    public func trackTable() throws -> VitalDBTrackTable {
        try VitalDBTrackTable(try table(endpoints.tracks, cachedAs: "trks.csv.gz"))
    }

    /// `count` distinct usable cases (`VitalDBTrackTable.usableCaseIDs`),
    /// drawn with `seed`: the same seed always picks the same cases. Ascending.
    public func randomCaseIDs(count: Int, seed: UInt64) throws -> [Int] {
        Self.pick(count, from: try trackTable().usableCaseIDs, seed: seed)
    }

    static func pick(_ count: Int, from candidates: [Int], seed: UInt64) -> [Int] {
        var random = SimulationRandom(seed: seed)
        return Array(candidates.sorted().shuffled(using: &random).prefix(count)).sorted()
    }

    /// Fetches and converts the cases, `options.concurrency` at a time;
    /// `progress` is called (from worker threads) as each case finishes.
    /// Throws `VitalDBError.unreachable` as soon as the host cannot be
    /// reached: the other workers stop after their current case.
    public func fetch(caseIDs: [Int], progress: @escaping @Sendable (VitalDBCaseResult) -> Void = { _ in }) throws -> [VitalDBCaseResult] {
        try AtomicFile.makeDirectory(vitalDirectory)
        try AtomicFile.makeDirectory(options.outputDirectory)
        let queue = WorkQueue(caseIDs)
        let group = WaitGroup()
        for _ in 0..<max(1, min(options.concurrency, caseIDs.count)) {
            group.add()
            startThread { [self] in
                defer { group.done() }
                while let caseID = queue.next() {
                    do {
                        let result = try self.fetchOne(caseID)
                        queue.record(result)
                        progress(result)
                    } catch let error as VitalDBError {
                        if case .unreachable = error { queue.stop(error); return }
                        let result = self.failure(caseID, error.description)
                        queue.record(result)
                        progress(result)
                    } catch {
                        let result = self.failure(caseID, String(describing: error))
                        queue.record(result)
                        progress(result)
                    }
                }
            }
        }
        group.wait()
        if let error = queue.stopError { throw error }
        return queue.results.sorted { $0.caseID < $1.caseID }
    }

    /// One case: download unless cached, convert unless converted.
    func fetchOne(_ caseID: Int) throws -> VitalDBCaseResult {
        let vital = vitalPath(caseID: caseID)
        let csv = csvPath(caseID: caseID)
        var downloaded = 0
        if !AtomicFile.exists(vital) {
            let url = endpoints.vitalFile(caseID: caseID)
            downloaded = try downloader.download(url, to: vital) { head in
                guard Gzip.isGzip(head) || head.starts(with: VitalFormat.signature) else {
                    throw VitalDBError.unexpectedContent(url: url, reason: "not a .vital file (neither gzip nor VITA)")
                }
            }
        } else if AtomicFile.exists(csv) {
            return VitalDBCaseResult(caseID: caseID, outcome: .alreadyDone, downloadedBytes: 0, rows: 0, csvPath: csv, tracks: "")
        }
        let converted: VitalCase
        do {
            converted = try VitalCaseReader.convert(path: vital, caseID: String(caseID), to: csv)
        } catch {
            unlink(vital)   // damaged: fetch it again next time
            throw error
        }
        if converted.isTruncated {
            unlink(vital)
            unlink(csv)
            throw VitalDBError.unexpectedContent(url: endpoints.vitalFile(caseID: caseID), reason: "the .vital file is truncated")
        }
        return VitalDBCaseResult(caseID: caseID, outcome: .converted, downloadedBytes: downloaded,
                                 rows: converted.batch.count, csvPath: csv, tracks: converted.selection.summary)
    }

    /// Writes `cases.csv` in the output directory: the clinical-table rows of
    /// `caseIDs` (e.g. opstart/opend, to restrict an evaluation to surgery).
    @discardableResult
    public func writeCaseTable(for caseIDs: [Int], from table: VitalDBCaseTable) throws -> String {
        let path = options.outputDirectory + "/cases.csv"
        try AtomicFile.makeDirectory(options.outputDirectory)
        try AtomicFile.write(Array(table.csv(for: caseIDs).utf8), to: path)
        return path
    }

    private func failure(_ caseID: Int, _ message: String) -> VitalDBCaseResult {
        VitalDBCaseResult(caseID: caseID, outcome: .failed(message), downloadedBytes: 0, rows: 0,
                          csvPath: csvPath(caseID: caseID), tracks: "")
    }

    /// A table from the cache, or downloaded, checked and cached (gzip).
    private func table(_ url: String, cachedAs name: String) throws -> CSVTable {
        try AtomicFile.makeDirectory(options.cacheDirectory)
        let path = options.cacheDirectory + "/" + name
        if AtomicFile.exists(path) { return try CSVTable.parse(try LineReader.readAll(path: path)) }
        let body = try downloader.get(url)
        let table: CSVTable
        do { table = try CSVTable.parse(body) } catch {
            throw VitalDBError.unexpectedContent(url: url, reason: "not a CSV table (\(error))")
        }
        let gzipped = Gzip.isGzip(body) ? body : try Gzip.compress(body)
        try AtomicFile.write(gzipped, to: path)
        return table
    }
}

/// Case ids handed out to worker threads, and what came back.
private final class WorkQueue: @unchecked Sendable {
    private let lock = Lock()
    private var pending: [Int]
    private(set) var results: [VitalDBCaseResult] = []
    private(set) var stopError: VitalDBError?

    init(_ caseIDs: [Int]) { pending = Array(caseIDs.reversed()) }

    func next() -> Int? { lock.withLock { stopError == nil ? pending.popLast() : nil } }
    func record(_ result: VitalDBCaseResult) { lock.withLock { results.append(result) } }
    func stop(_ error: VitalDBError) { lock.withLock { if stopError == nil { stopError = error } } }
}
