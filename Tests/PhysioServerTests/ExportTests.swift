import PhysioClient
import PhysioCore
import PhysioData
import PhysioHTTP
import PhysioTestSupport
import Testing
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ExportTests {
    func export(_ server: TestServer, _ path: String, accept: String? = nil) throws -> HTTPClient.Response {
        var headers = [server.bearer("export")]
        if let accept { headers.append(("Accept", accept)) }
        return try server.client().send("GET", path, headers: headers)
    }

    @Test func csvHasAHeaderIsoTimesAndEmptyMissingValues() throws {
        let server = try TestServer()
        try server.database.ingest([TestModels.calmCase("exp-1", start: 1_795_600_000, seconds: 3)])
        let response = try export(server, "/exports/vitals?case=exp-1")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(response.header("Content-Disposition")?.contains("vitals-exp-1.csv") == true)
        let lines = response.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "case_id,t,hr,sbp,dbp,mbp,spo2,rr,etco2,temp")
        #expect(lines.count == 5)   // header, 3 rows, final newline
        #expect(lines[1].hasPrefix("exp-1,\(Timestamp.format(1_795_600_000_000_000, fixedMicros: true)),"), "\(lines[1])")
        #expect(lines[1].hasSuffix(",,,,") == false && lines[1].split(separator: ",", omittingEmptySubsequences: false).count == 10)
    }

    /// PostgreSQL trims the fraction of its own time text; the export always writes six digits.
    @Test func csvTimesKeepEveryMicrosecond() throws {
        let server = try TestServer()
        let times = ["2026-11-24T10:00:00Z", "2026-11-24T10:00:00.25Z", "2026-11-24T10:00:01.123456Z", "2026-11-24T10:00:02.000001Z"]
        let body = #"{"samples":["# + times.map { #"{"t":"\#($0)","hr":70}"# }.joined(separator: ",") + "]}"
        #expect(try server.ingest("fraction", json: body).status == 200)
        let lines = try export(server, "/exports/vitals?case=fraction").text.split(separator: "\n")
        let written = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[1] }
        #expect(written == ["2026-11-24T10:00:00.000000Z", "2026-11-24T10:00:00.250000Z",
                            "2026-11-24T10:00:01.123456Z", "2026-11-24T10:00:02.000001Z"])
    }

    @Test func ndjsonByAcceptOrFormat() throws {
        let server = try TestServer()
        try server.database.ingest([TestModels.calmCase("exp-2", start: 1_795_600_000, seconds: 4)])
        for response in [try export(server, "/exports/vitals?case=exp-2", accept: "application/x-ndjson"),
                         try export(server, "/exports/vitals?case=exp-2&format=ndjson", accept: "text/csv")] {
            #expect(response.header("Content-Type") == "application/x-ndjson")
            let lines = response.text.split(separator: "\n")
            #expect(lines.count == 4)
            for line in lines {
                let parsed = try JSONDocument.parse(Array(line.utf8)).get()
                #expect(parsed.value["case_id"]?.string == "exp-2")
                #expect(parsed.value["hr"]?.number != nil)
                #expect(parsed.value["temp"]?.kind == .null)
            }
        }
        #expect(try export(server, "/exports/vitals", accept: "application/xml").status == 406)
        #expect(try export(server, "/exports/vitals?format=xlsx").status == 400)
    }

    /// A larger export streams completely; `order=case` sorts it even when
    /// the table holds the cases the other way round.
    @Test func aLargeExportStreamsEveryRow() throws {
        let server = try TestServer()
        try server.database.ingest([TestModels.calmCase("big-b", start: 1_795_600_000, seconds: 40_000)])
        try server.database.ingest([TestModels.calmCase("big-a", start: 1_795_600_000, seconds: 60_000)])
        let stored = try export(server, "/exports/vitals")
        #expect(stored.status == 200)
        #expect(stored.header("Transfer-Encoding")?.lowercased() == "chunked")
        let storedLines = stored.text.split(separator: "\n")
        #expect(storedLines.count == 100_001)
        let sorted = try export(server, "/exports/vitals?order=case")
        let sortedLines = sorted.text.split(separator: "\n")
        #expect(sortedLines.count == 100_001)
        #expect(sortedLines[1].hasPrefix("big-a,") && sortedLines[60_001].hasPrefix("big-b,"))
        let keys: [String] = sortedLines.dropFirst().map { line in
            let fields = line.split(separator: ",")
            return "\(fields[0]) \(fields[1])"
        }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 }, "order=case is not sorted by case and time")
        #expect(Set(storedLines) == Set(sortedLines))
    }

    /// One case comes in time order whatever order its samples arrived in.
    @Test func aOneCaseExportIsInTimeOrder() throws {
        let server = try TestServer()
        for second in [3, 1, 2, 0] {
            #expect(try server.ingest("late", json: #"{"samples":[{"t":"2026-11-24T10:00:0\#(second)Z","hr":70}]}"#).status == 200)
        }
        for path in ["/exports/vitals?case=late", "/exports/vitals?case=late&order=stored", "/exports/vitals?case=late&format=ndjson"] {
            let lines = try export(server, path).text.split(separator: "\n").filter { !$0.hasPrefix("case_id") }
            let times = lines.map { $0.split(separator: ",")[1] }
            #expect(times.count == 4 && times == times.sorted(), "\(path): \(times)")
        }
        let vitals = try export(server, "/exports/vitals?case=late").text.split(separator: "\n").dropFirst()
        #expect(vitals.map { $0.split(separator: ",")[1] } == (0...3).map { "2026-11-24T10:00:0\($0).000000Z" })
    }

    @Test func anUnknownOrderIsABadRequest() throws {
        let server = try TestServer()
        let response = try export(server, "/exports/vitals?order=time")
        #expect(response.status == 400)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.text.contains("order='time' must be one of case, stored"), "\(response.text)")
    }

    /// NDJSON is built from the same COPY as the CSV: the same rows, times and values.
    @Test func ndjsonCarriesTheValuesOfTheCsv() throws {
        let server = try TestServer()
        let body = #"{"samples":[{"t":"2026-11-24T10:00:00.25Z","hr":72.5,"spo2":97},{"t":"2026-11-24T10:00:01Z","sbp":118,"temp":36.4}]}"#
        #expect(try server.ingest("nd-1", json: body).status == 200)
        let csv = try export(server, "/exports/vitals?case=nd-1").text.split(separator: "\n").dropFirst()
        let ndjson = try export(server, "/exports/vitals?case=nd-1&format=ndjson").text.split(separator: "\n")
        #expect(csv.count == 2 && ndjson.count == 2)
        let names = ["case_id", "t"] + Vital.allCases.map(\.name)
        for (csvLine, jsonLine) in zip(csv, ndjson) {
            let fields = csvLine.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let parsed = try JSONDocument.parse(Array(jsonLine.utf8)).get()
            #expect(parsed.value.count == names.count)
            #expect(parsed.value["case_id"]?.string == fields[0] && parsed.value["t"]?.string == fields[1])
            for (index, name) in names.enumerated().dropFirst(2) {
                let value = try #require(parsed.value[name])
                if fields[index].isEmpty { #expect(value.kind == .null, "\(name)") }
                else { #expect(value.number == Double(fields[index]), "\(name): \(fields[index])") }
            }
        }
        #expect(ndjson.first?.contains(#""t":"2026-11-24T10:00:00.250000Z","hr":72.5,"#) == true, "\(ndjson.first ?? "")")
    }

    @Test func anomalyExportsBySampleAndByEpisode() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        try server.database.ingest([TestModels.caseWithCrisis("exp-3", start: 1_795_600_000, seconds: 300, crisis: 100..<150)])
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        #expect(try server.database.waitForEmptyQueue())
        let samples = try export(server, "/exports/anomalies?case=exp-3")
        #expect(samples.text.hasPrefix("case_id,t,score,anomalous,source,rules,model_id\n"))
        // A 50-s crisis alarms through the score (30 s of persistence), not through the 60-s safety floor.
        let sources = samples.text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[4] }
        #expect(sources.contains("model") && sources.contains("") && !sources.contains("rule"))
        #expect(samples.text.split(separator: "\n").count == 301)
        #expect(samples.text.contains("hr_gt_140;"))
        let sampleLines = try export(server, "/exports/anomalies?case=exp-3&format=ndjson").text.split(separator: "\n")
        #expect(sampleLines.count == 300)
        var flagged = 0
        for line in sampleLines {
            let document = try JSONDocument.parse(Array(line.utf8)).get()
            let parsed = document.value
            #expect(parsed["anomalous"]?.bool != nil && parsed["rules"]?.kind == .array && parsed["model_id"]?.number != nil, "\(line)")
            #expect(parsed["anomalous"]?.bool == true ? ["model", "rule", "both"].contains(parsed["source"]?.string ?? "") : parsed["source"]?.kind == .null, "\(line)")
            if parsed["rules"]?[0]?.string == "hr_gt_140" { flagged += 1 }
        }
        #expect(flagged > 0)
        let episodes = try export(server, "/exports/anomalies?case=exp-3&granularity=episode&format=ndjson")
        #expect(episodes.status == 200)
        let first = try JSONDocument.parse(Array(episodes.text.split(separator: "\n").first!.utf8)).get()
        #expect(first.value["drivers"]?.kind == .array)
        #expect(first.value["rules"]?.kind == .array)
        #expect(["model", "rule", "both"].contains(first.value["source"]?.string ?? ""))
        #expect(first.value["alarms"]?.kind == .array, "\(episodes.text)")
    }

    /// pandas reads the CSV as it comes, times as UTC datetimes and missing
    /// vitals as NaN; the NDJSON the same with `read_json(lines=True)`.
    @Test(.enabled(if: getenv("PHYSIO_TEST_PYTHON") != nil, "PHYSIO_TEST_PYTHON (a python with pandas) is not set: run scripts/test"),
          arguments: [("csv", "df = pd.read_csv(sys.argv[1], parse_dates=['t'])"),
                      ("ndjson", "df = pd.read_json(sys.argv[1], lines=True, dtype={'case_id': str}); df['t'] = pd.to_datetime(df['t'])")])
    func pandasReadsTheExportAsIs(format: String, read: String) throws {
        let server = try TestServer()
        try server.database.ingest([TestModels.calmCase("pd-1", start: 1_795_600_000, seconds: 50),
                                    TestModels.calmCase("pd.2", start: 1_795_600_000, seconds: 25)])
        let response = try export(server, "/exports/vitals?format=\(format)")
        let path = "/tmp/physio-export-\(getpid())-\(format)"
        guard let file = fopen(path, "wb") else { Issue.record("cannot write \(path)"); return }
        _ = response.body.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
        defer { unlink(path) }
        let python = String(cString: getenv("PHYSIO_TEST_PYTHON"))
        let script = """
            import pandas as pd, sys
            \(read)
            assert len(df) == 75, len(df)
            assert list(df.columns) == ['case_id','t','hr','sbp','dbp','mbp','spo2','rr','etco2','temp'], list(df.columns)
            assert str(df['t'].dt.tz) == 'UTC', df['t'].dtype
            assert df['hr'].dtype == 'float64' and df['temp'].isna().all() and df['hr'].notna().all()
            assert set(df['case_id']) == {'pd-1', 'pd.2'}
            assert df['t'].min() == pd.Timestamp(1795600000, unit='s', tz='UTC')
            print('ok')
            """
        let output = try Shell.output("'\(python)' -c \"\(script)\" '\(path)' 2>&1")
        #expect(output.contains("ok"), "\(output)")
    }

    /// The README's pandas block, run as written against a live server:
    /// read straight from the URL, a case id like `007` stays text (and
    /// would not without the dtype), booleans are bool, times UTC.
    @Test(.enabled(if: PythonScript.isAvailable, "\(PythonScript.skipMessage)"))
    func theREADMEsPandasBlockReadsTheExportsFromTheURL() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        try server.database.ingest([TestModels.caseWithCrisis("007", start: 1_795_600_000, seconds: 600, crisis: 300..<420)])
        let workers = try server.database.startWorkers()
        #expect(try server.database.waitForEmptyQueue())
        workers.stop()
        let readme = try Shell.output("cat '\(Shell.repositoryRoot)/README.md'")
        let section = try #require(readme.range(of: "### Exports in pandas"), "the README's pandas section")
        let block = try #require(readme[section.upperBound...].range(of: "```python\n"))
        let end = try #require(readme[block.upperBound...].range(of: "```"))
        let script = """
            URL = 'http://127.0.0.1:\(server.port)'
            EXPORT_TOKEN = '\(server.tokens["export"]!)'
            \(readme[block.upperBound..<end.lowerBound])
            assert len(vitals) == 600 and set(vitals['case_id']) == {'007'}, vitals['case_id'].unique()
            assert str(vitals['t'].dt.tz) == 'UTC' and vitals['hr'].dtype == 'float64'
            assert len(scores) == 600 and set(scores['case_id']) == {'007'}
            assert scores['anomalous'].dtype == bool and scores['anomalous'].any() and not scores['anomalous'].all(), scores['anomalous'].dtype
            assert str(scores['t'].dt.tz) == 'UTC'
            assert len(episodes) >= 1 and set(episodes['case_id']) == {'007'}
            assert (episodes['end'] - episodes['start']).dt.total_seconds().equals(episodes['duration_seconds'].astype(float)), episodes.dtypes
            assert str(episodes['raised_at'].dt.tz) == 'UTC' and (episodes['raised_at'] >= episodes['start']).all(), episodes[['start', 'raised_at']]
            assert (episodes['raised_at'] <= episodes['end']).all() and (episodes['raised_at'] > episodes['start']).any(), episodes[['start', 'raised_at']]
            as_csv = pd.read_csv(f'{URL}/exports/anomalies?granularity=episode', storage_options=auth, parse_dates=['raised_at'])
            assert as_csv['raised_at'].tolist() == episodes['raised_at'].tolist(), (as_csv['raised_at'], episodes['raised_at'])
            # Each rule's own alarm, rule=time by time: the crisis breaches HR, SBP and SpO2 at once.
            alarms = dict(pair.split('=') for pair in as_csv['alarms'][0].split(';'))
            assert {'hr_gt_140', 'sbp_lt_80', 'spo2_lt_90'} <= set(alarms), alarms
            assert all(pd.Timestamp(t) >= as_csv['start'].map(pd.Timestamp)[0] for t in alarms.values()), alarms
            # Without the dtype, pandas makes the id a number: why the README gives it.
            assert pd.read_csv(f'{URL}/exports/vitals?case=007', storage_options=auth)['case_id'][0] == 7
            print('ok')
            """
        let output = try PythonScript.run(script)
        #expect(output.hasSuffix("ok\n"), "\(output)")
    }

    /// A case moved between servers: exported, `physio import`ed into another database, exported again.
    @Test func theVitalsExportImportsIntoAnotherServerAsItWas() throws {
        let source = try TestServer(), target = try TestServer()
        var series = TestModels.calmCase("moved-1", start: 1_795_600_000, seconds: 120)
        series.set(.temp, row: 7, to: 36.6)       // a vital in one row only
        series.set(.spo2, row: 9, to: .nan)       // and one missing
        try source.database.ingest([series])
        let exported = try export(source, "/exports/vitals?case=moved-1")
        #expect(exported.status == 200)
        let file = "/tmp/physio-moved-\(getpid()).csv"
        try AtomicFile.write(exported.body, to: file)
        defer { unlink(file); unlink(file + ".log") }
        let run = try PhysioProcess(["import", file], environment: ["PHYSIO_DATABASE_URL": target.database.url], logPath: file + ".log")
        #expect(run.waitForExit() == 0, "\(run.log)")
        #expect(run.log.contains("moved-1\t120\t120\t0\t0\t0\t0"), "\(run.log)")
        let again = try export(target, "/exports/vitals?case=moved-1")
        #expect(again.text == exported.text)
    }
}
