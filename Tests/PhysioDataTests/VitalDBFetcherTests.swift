import PhysioCore
@testable import PhysioData
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A small case as the API would serve it: `seconds` of Solar8000 HR, arterial
/// pressures and SpO2, one record every 2 s, HR = 60 + caseID.
func vitalFixture(caseID: Int, seconds: Int = 20) throws -> [UInt8] {
    var file = VitalFileBuilder()
    file.device(id: 1, type: "Solar8000", name: "Solar8000")
    for (id, name) in [(1, "HR"), (2, "ART_SBP"), (3, "ART_DBP"), (4, "ART_MBP"), (5, "PLETH_SPO2")] {
        file.track(id: UInt16(id), name: name, device: 1)
    }
    let start = 1_500_000_000.5 + Double(caseID) * 86_400
    for second in stride(from: 0, to: seconds, by: 2) {
        let time = start + Double(second)
        for (id, value) in [(1, 60 + caseID), (2, 120), (3, 60), (4, 80), (5, 99)] {
            file.number(track: UInt16(id), at: time, Float(value))
        }
    }
    return try file.bytes()
}

/// The fixture server with the tables and cases 1 and 2.
private func apiServer() throws -> FixtureHTTPServer {
    try FixtureHTTPServer(routes: [
        "/cases": .body(try Gzip.compress(Array(casesFixture.utf8))),
        "/trks": .body(try Gzip.compress(Array(tracksFixture.utf8))),
        "/0001.vital": .body(try vitalFixture(caseID: 1)),
        "/0002.vital": .body(try vitalFixture(caseID: 2)),
    ])
}

private func fetcher(_ server: FixtureHTTPServer, _ directory: TemporaryDirectory, concurrency: Int = 2) -> VitalDBFetcher {
    var options = VitalDBFetchOptions(cacheDirectory: directory.file("cache"), outputDirectory: directory.file("out"))
    options.baseURL = server.baseURL
    options.concurrency = concurrency
    return VitalDBFetcher(options: options, downloader: HTTPDownloader(requestTimeout: 10, retries: 0))
}

@Suite("VitalDB fetcher against a local fixture server")
struct VitalDBFetcherTests {
    @Test("downloads, converts to case CSVs, and a second run fetches nothing")
    func fetchAndResume() throws {
        let server = try apiServer()
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let client = fetcher(server, directory)

        let results = try client.fetch(caseIDs: [1, 2])
        #expect(results.map(\.caseID) == [1, 2])
        #expect(results.allSatisfy { $0.outcome == .converted && $0.downloadedBytes > 0 && $0.rows == 10 })
        #expect(directoryEntries(directory.file("cache/vital")) == ["0001.vital", "0002.vital"])
        #expect(directoryEntries(directory.file("out")) == ["case_0001.csv.gz", "case_0002.csv.gz"])
        let cases = try CaseCSV.read(path: directory.file("out/case_0002.csv.gz"))
        #expect(cases.count == 1 && cases[0].caseID == "2" && cases[0].count == 10)
        #expect(cases[0].value(.hr, row: 0) == 62 && cases[0].value(.sbp, row: 0) == 120)
        let text = try readText(directory.file("out/case_0001.csv.gz"))
        #expect(text.hasPrefix(CaseCSV.header + "\n1,0,61,120,60,80,99,,,\n1,2,61,"))

        let again = try client.fetch(caseIDs: [1, 2])
        #expect(again.allSatisfy { $0.outcome == .alreadyDone })
        #expect(server.requests("/0001.vital") == 1 && server.requests("/0002.vital") == 1)
    }

    @Test("a case whose CSV is missing is converted again from the cached .vital, without downloading")
    func convertFromCache() throws {
        let server = try apiServer()
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let client = fetcher(server, directory)
        let first = try client.fetch(caseIDs: [1])
        #expect(first.map(\.outcome) == [.converted], "\(first.map(\.outcome))")
        unlink(directory.file("out/case_0001.csv.gz"))
        let result = try #require(try client.fetch(caseIDs: [1]).first)
        #expect(result.outcome == .converted && result.downloadedBytes == 0 && result.rows == 10, "\(result.outcome)")
        #expect(server.requests("/0001.vital") == 1)
    }

    @Test("a missing case fails alone; the others are fetched")
    func missingCase() throws {
        let server = try apiServer()
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let results = try fetcher(server, directory).fetch(caseIDs: [1, 3, 2])
        #expect(results.map(\.caseID) == [1, 2, 3])
        guard case .failed(let message) = results[2].outcome else { Issue.record("case 3 should fail"); return }
        #expect(message.contains("0003.vital") && message.contains("HTTP 404"))
        #expect(directoryEntries(directory.file("cache/vital")) == ["0001.vital", "0002.vital"], "\(results.map(\.outcome))")
    }

    @Test("a broken transfer leaves nothing under the final name, and the next run resumes")
    func brokenTransfer() throws {
        let server = try apiServer()
        defer { server.stop() }
        let whole = try vitalFixture(caseID: 4)
        server.setRoute("/0004.vital", .truncated(Array(whole.prefix(whole.count / 2)), announced: whole.count))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let client = fetcher(server, directory)

        let failed = try #require(try client.fetch(caseIDs: [4]).first)
        guard case .failed(let message) = failed.outcome else { Issue.record("expected a failure"); return }
        #expect(message.contains("download failed"))
        #expect(directoryEntries(directory.file("cache/vital")).isEmpty)   // no partial file, no leftovers
        #expect(directoryEntries(directory.file("out")).isEmpty)

        server.setRoute("/0004.vital", .body(whole))
        let resumed = try #require(try client.fetch(caseIDs: [4]).first)
        #expect(resumed.outcome == .converted && resumed.rows == 10)
    }

    @Test("what is not a .vital file is rejected and not cached")
    func wrongContent() throws {
        let server = try apiServer()
        defer { server.stop() }
        server.setRoute("/0005.vital", .body(Array("<html><body>Service unavailable</body></html>".utf8)))
        var cut = VitalFileBuilder()   // a gzip'd .vital whose last packet is cut: the server's file is damaged
        cut.device(id: 1, type: "Solar8000", name: "Solar8000")
        cut.track(id: 1, name: "HR", device: 1)
        cut.number(track: 1, at: 1_500_000_000, 70)
        cut.raw([1] + le(UInt32(100)) + [0, 0])
        server.setRoute("/0006.vital", .body(try cut.bytes()))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let results = try fetcher(server, directory).fetch(caseIDs: [5, 6])
        for result in results {
            guard case .failed(let message) = result.outcome else { Issue.record("case \(result.caseID) should fail"); continue }
            #expect(message.contains(result.caseID == 5 ? "not a .vital file" : "truncated"))
        }
        #expect(directoryEntries(directory.file("cache/vital")).isEmpty)
        #expect(directoryEntries(directory.file("out")).isEmpty)
    }

    @Test("offline: a clear error, at once, for the tables and for the cases")
    func offline() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FixtureHTTPServer.withRefusingPort { port in
            var options = VitalDBFetchOptions(cacheDirectory: directory.file("cache"))
            options.baseURL = "http://127.0.0.1:\(port)"
            let client = VitalDBFetcher(options: options, downloader: HTTPDownloader(requestTimeout: 10, retries: 2))
            do {
                _ = try client.fetch(caseIDs: [1, 2, 3, 4, 5])
                Issue.record("expected the host to be unreachable")
            } catch let error as VitalDBError {
                guard case .unreachable(let host, _) = error else { Issue.record("wrong error \(error)"); return }
                #expect(host == "127.0.0.1")
                #expect(error.description.contains("cannot reach 127.0.0.1") && error.description.contains("offline"))
            }
            #expect(throws: VitalDBError.self) { try client.caseTable() }
        }
        #expect(directoryEntries(directory.file("cache/vital")).isEmpty)
    }

    @Test("tables are downloaded once and cached; --random draws usable cases by seed")
    func tablesAndRandom() throws {
        let server = try apiServer()
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let client = fetcher(server, directory)
        let picked = try client.randomCaseIDs(count: 1, seed: 9)
        #expect(picked.count == 1 && [1, 2].contains(picked[0]))
        #expect(try client.randomCaseIDs(count: 1, seed: 9) == picked)
        #expect(try client.randomCaseIDs(count: 5, seed: 9) == [1, 2])
        #expect(server.requests("/trks") == 1)
        #expect(directoryEntries(directory.file("cache")).contains("trks.csv.gz"))

        let table = try client.caseTable()
        #expect(try client.caseTable().caseIDs == table.caseIDs)
        #expect(server.requests("/cases") == 1)
        let written = try client.writeCaseTable(for: [17, 1], from: table)
        let subset = try VitalDBCaseTable(try CSVTable.parse(try LineReader.readAll(path: written)))
        #expect(subset.caseIDs == [17, 1])
        #expect(subset.value("dx", caseID: 17) == "Aneurysm, abdominal aorta")
    }

    @Test("no more downloads at once than asked for")
    func boundedConcurrency() throws {
        let server = try apiServer()
        defer { server.stop() }
        for caseID in 3...8 { server.setRoute("/" + VitalDBEndpoints.vitalFileName(caseID: caseID), .body(try vitalFixture(caseID: caseID))) }
        server.delay = 0.05
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let results = try fetcher(server, directory, concurrency: 3).fetch(caseIDs: Array(1...8))
        #expect(results.count == 8 && results.allSatisfy { $0.outcome == .converted }, "\(results.map(\.outcome))")
        #expect(server.maxInFlight <= 3)
        #expect(server.totalRequests == 8)
    }
}
