import ArgumentParser
import PhysioCore
import PhysioData
import PhysioPlatform
import PhysioLab

struct VitalDBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vitaldb",
        abstract: "Fetch VitalDB open-dataset cases and convert .vital files to case CSVs.",
        discussion: """
        VitalDB data is CC BY-NC-SA 4.0 under the VitalDB data use agreement; cite Lee et al., \
        Sci Data 2022;9:279. Never commit it. See docs/vitaldb.md for the track mapping.
        """,
        subcommands: [Fetch.self, Import.self])

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download cases from the VitalDB API into a cache and convert them to case CSVs.",
            discussion: """
            Resumable: files appear under their final names only when complete, and what is already in \
            the cache or the output directory is not fetched or converted again. Writes \
            OUT/case_NNNN.csv.gz and OUT/cases.csv (the clinical-table rows of the fetched cases).
            """)

        @Option(help: "Case ids, e.g. 1,2,10-12.")
        var cases: String?
        @Option(help: "Fetch N cases drawn at random (with --seed) among those with a heart rate and a blood pressure.")
        var random: Int?
        @Option(help: "Seed for --random.")
        var seed: UInt64 = 1
        @Option(help: "Download cache directory (env PHYSIO_VITALDB_CACHE).")
        var cache = Environment.string("PHYSIO_VITALDB_CACHE", default: "vitaldb-cache")
        @Option(help: "Where the case CSVs go (default CACHE/csv; env PHYSIO_VITALDB_OUT).")
        var out: String?
        @Option(help: "API base URL (env PHYSIO_VITALDB_BASE_URL).")
        var baseURL = Environment.string("PHYSIO_VITALDB_BASE_URL", default: VitalDBEndpoints.defaultBaseURL)
        @Option(help: "Cases downloaded at once (env PHYSIO_VITALDB_CONCURRENCY).")
        var concurrency = Environment.int("PHYSIO_VITALDB_CONCURRENCY", default: 4)
        @Option(help: "Extra attempts after a server error or a broken transfer.")
        var retries = 2
        @Flag(inversion: .prefixedNo, help: "Gzip the case CSVs.")
        var gzip = true

        func validate() throws {
            guard (cases == nil) != (random == nil) else { throw ValidationError("give either --cases or --random") }
            if let cases { _ = try CaseList.parse(cases) }
            if let random, random < 1 { throw ValidationError("--random must be at least 1") }
            guard (1...32).contains(concurrency) else { throw ValidationError("--concurrency must be 1…32") }
            guard retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
        }

        func run() throws {
            var options = VitalDBFetchOptions(cacheDirectory: cache, outputDirectory: out ?? Environment.string("PHYSIO_VITALDB_OUT"))
            options.baseURL = baseURL
            options.concurrency = concurrency
            options.gzipOutput = gzip
            let fetcher = VitalDBFetcher(options: options, downloader: HTTPDownloader(retries: retries))

            let caseTable = try clinicalTable(fetcher)
            let ids = try cases.map(CaseList.parse) ?? fetcher.randomCaseIDs(count: random!, seed: seed)
            print("fetching \(ids.count) case\(ids.count == 1 ? "" : "s") from \(fetcher.endpoints.host) "
                  + "(cache \(cache), output \(options.outputDirectory), \(concurrency) at a time)")
            let started = Clock.monotonicNanos()
            let printer = Lock()
            let results = try fetcher.fetch(caseIDs: ids) { result in printer.withLock { print(Self.line(result)) } }
            let seconds = Double(Clock.monotonicNanos() - started) / 1e9
            if let caseTable { try fetcher.writeCaseTable(for: ids, from: caseTable) }

            let failed = results.filter { if case .failed = $0.outcome { true } else { false } }
            let bytes = results.reduce(0) { $0 + $1.downloadedBytes }
            print("\(results.count - failed.count) of \(ids.count) cases ready in \(options.outputDirectory); "
                  + "downloaded \(Self.size(bytes)) in \(Int(seconds.rounded())) s")
            if !failed.isEmpty { throw ExitCode(1) }
        }

        /// The clinical table, for OUT/cases.csv. Unreachable host: stop here with
        /// the clear message; any other problem only costs cases.csv.
        private func clinicalTable(_ fetcher: VitalDBFetcher) throws -> VitalDBCaseTable? {
            do {
                return try fetcher.caseTable()
            } catch let error as VitalDBError {
                if case .unreachable = error { throw error }
                Log.warning("no clinical table; cases.csv not written", ["error": .string(error.description)])
                return nil
            }
        }

        /// "840 kB", "21 MB".
        static func size(_ bytes: Int) -> String {
            bytes < 1_000_000 ? "\((bytes + 999) / 1000) kB" : "\((bytes + 500_000) / 1_000_000) MB"
        }

        static func line(_ result: VitalDBCaseResult) -> String {
            switch result.outcome {
            case .converted:
                let source = result.downloadedBytes > 0 ? "downloaded \(Self.size(result.downloadedBytes))" : "from cache"
                return "case \(result.caseID): \(source), \(result.rows) rows → \(result.csvPath)  [\(result.tracks)]"
            case .alreadyDone:
                return "case \(result.caseID): already done (\(result.csvPath))"
            case .failed(let message):
                return "case \(result.caseID): FAILED: \(message)"
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert .vital files to case CSVs (numeric tracks, 1-s grid; see docs/vitaldb.md).")

        @Argument(help: "The .vital files.")
        var files: [String]
        @Option(help: "Output directory.")
        var out: String
        @Option(help: "Case id (one file only; default: from the file name, 0001.vital → 1).")
        var caseID: String?
        @Flag(inversion: .prefixedNo, help: "Gzip the case CSVs.")
        var gzip = true

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("give at least one .vital file") }
            if let caseID {
                guard files.count == 1 else { throw ValidationError("--case-id works with one file only") }
                guard CaseID.isValid(caseID) else { throw ValidationError("--case-id must be \(CaseID.rule)") }
            }
        }

        func run() throws {
            try AtomicFile.makeDirectory(out)
            var failures = 0
            for file in files {
                let id = caseID ?? VitalCaseReader.caseID(forFile: file)
                let output = out + "/" + Self.outputName(caseID: id) + (gzip ? ".csv.gz" : ".csv")
                let started = Clock.monotonicNanos()
                do {
                    let converted = try VitalCaseReader.convert(path: file, caseID: id, to: output)
                    let seconds = Double(Clock.monotonicNanos() - started) / 1e9
                    print("\(file) → \(output): \(converted.batch.count) rows in \(Int(seconds * 1000)) ms  [\(converted.selection.summary)]"
                          + (converted.isTruncated ? " (file truncated: converted what was there)" : ""))
                } catch {
                    failures += 1
                    print("\(file): FAILED: \(error)")
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }

        /// "case_0001" for numeric ids (as `vitaldb fetch` names them), "case_<id>" otherwise.
        static func outputName(caseID: String) -> String {
            if let number = Int(caseID), number > 0 { return "case_" + zeroPadded(number, width: 4) }
            return "case_" + caseID
        }
    }
}

/// "1,2,10-12" → [1, 2, 10, 11, 12] (sorted, without repeats).
enum CaseList {
    static func parse(_ text: String) throws -> [Int] {
        var ids = Set<Int>()
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0].trimmingSpaces), let high = Int(bounds.last!.trimmingSpaces),
                  low >= 1, low <= high, high - low < 10_000 else {
                throw ValidationError("--cases: '\(part)' is not a case id or a range such as 10-12")
            }
            ids.formUnion(low...high)
        }
        guard !ids.isEmpty else { throw ValidationError("--cases: no case ids") }
        return ids.sorted()
    }
}

private extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
