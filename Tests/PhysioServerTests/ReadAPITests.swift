import PhysioClient
import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioTestSupport
import Testing
import PhysioPlatform

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ReadAPITests {
    func get(_ server: TestServer, _ path: String, scope: String = "read", client: HTTPClient? = nil) throws -> HTTPClient.Response {
        try (client ?? server.client()).get(path, headers: [server.bearer(scope)])
    }

    @Test func casesArePagedWithAnOpaqueCursor() throws {
        let server = try TestServer()
        for index in 0..<5 {
            try server.database.ingest([TestModels.calmCase("case-\(index)", start: 1_795_600_000 + Int64(index) * 1000, seconds: 10)])
        }
        let client = server.client()
        var seen: [String] = []
        var path = "/cases?limit=2"
        var pages = 0
        while true {
            let page = try get(server, path, client: client)
            #expect(page.status == 200)
            let ids = page.withJSON { json in (0..<json["cases"]!.count).map { json["cases"]![$0]!["case_id"]!.string! } } ?? []
            seen += ids
            pages += 1
            guard let cursor = page.withJSON({ $0["next_cursor"]?.string }) else { break }
            #expect(!cursor.contains("case-"), "cursor must be opaque")
            path = "/cases?limit=2&cursor=\(cursor)"
        }
        #expect(seen == (0..<5).map { "case-\($0)" })
        #expect(pages == 3)
        let active = try get(server, "/cases?active_since=\(1_795_600_000 + 3000)", client: client)
        #expect(active.withJSON { $0["cases"]?.count } == 2)
    }

    @Test func aCaseShowsItsRangeLatestValuesAndScores() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        // A crisis long enough to alarm (persistence and the 60-s safety floor), still open at the last sample.
        try server.database.ingest([TestModels.caseWithCrisis("live-1", start: 1_795_600_000, seconds: 200, crisis: 120..<200)])
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        #expect(try server.database.waitForEmptyQueue())
        let response = try get(server, "/cases/live-1")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.string("first_sample") == Timestamp.format(1_795_600_000_000_000))
        #expect(response.string("last_sample") == Timestamp.format(1_795_600_199_000_000))
        #expect(response.number("samples") == 200)
        #expect(response.withJSON { $0["latest"]?["hr"]?["value"]?.number } == 165)
        #expect(response.withJSON { $0["latest"]?["temp"] } == nil)
        #expect(response.withJSON { $0["latest_score"]?["anomalous"]?.bool } == true)
        #expect(response.withJSON { $0["open_episode"]?["rules"]?.count }.map { $0 > 0 } == true)
        #expect(response.number("pending_jobs") == 0)
        #expect(try get(server, "/cases/nobody").status == 404)
        // The monitor stopped in the episode: once no data have come for longer
        // than a cuff's cycle, nothing is open (the episode itself stays listed).
        _ = try server.database.connect().execute("UPDATE cases SET updated_at = now() - interval '7 minutes' WHERE case_id = 'live-1'")
        let ended = try get(server, "/cases/live-1")
        #expect(ended.withJSON { $0["open_episode"].map { $0.kind == .null } } == true)
        #expect(ended.withJSON { $0["latest_score"]?["anomalous"]?.bool } == true)
        #expect(try get(server, "/cases/live-1/anomalies").withJSON { $0["episodes"]?.count }.map { $0 > 0 } == true)
    }

    /// Bucketed reads equal a GROUP BY over the raw rows (averages the float8
    /// `avg` rounded to real, the vitals' own precision), right after ingest
    /// (nothing rolled up yet) and after the workers rolled the buckets up.
    @Test func bucketedVitalsEqualAGroupByOverRawRows() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        try server.database.ingest([TestModels.calmCase("agg-1", start: 1_795_600_030, seconds: 3800)])
        func check(_ label: String) throws {
            for (bucket, unit) in [("1m", "minute"), ("1h", "hour")] {
                let response = try get(server, "/cases/agg-1/vitals?bucket=\(bucket)")
                #expect(response.status == 200)
                let expected = try server.database.connect().query("""
                    SELECT (extract(epoch from date_trunc('\(unit)', ts)) * 1000000)::int8, count(*), avg(hr::float8)::real, min(hr), max(hr), count(spo2)
                    FROM vitals WHERE case_id = 'agg-1' GROUP BY 1 ORDER BY 1
                    """)
                let rows = response.withJSON { json -> [(String, Double, Double, Double, Double, Double)] in
                    let buckets = json["buckets"]!
                    return (0..<buckets.count).map { index in
                        let b = buckets[index]!
                        return (b["t"]!.string!, b["samples"]!.number!, b["hr"]!["avg"]!.number!, b["hr"]!["min"]!.number!,
                                b["hr"]!["max"]!.number!, b["spo2"]!["count"]!.number!)
                    }
                } ?? []
                #expect(rows.count == expected.rowCount, "\(label) \(bucket)")
                for (index, row) in rows.enumerated() where index < expected.rowCount {
                    #expect(row.0 == Timestamp.format(expected.int64(index, 0)!))
                    #expect(row.1 == Double(expected.int(index, 1)!))
                    #expect(Float(row.2) == expected.float(index, 2)!, "\(label) \(bucket) avg")
                    #expect(row.3 <= row.2 && row.2 <= row.4, "\(label) \(bucket): min ≤ avg ≤ max as printed")
                    #expect(Float(row.3) == expected.float(index, 3)! && Float(row.4) == expected.float(index, 4)!)
                    #expect(row.5 == Double(expected.int(index, 5)!))
                }
            }
        }
        try check("before the workers")
        #expect(try server.database.count("SELECT count(*) FROM vitals_1m") == 0)
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        #expect(try server.database.waitForEmptyQueue())
        #expect(try server.database.count("SELECT count(*) FROM vitals_1m") > 0)
        try check("after the workers")
        // New samples in the last, already rolled-up minute: that minute is
        // read from the raw rows, the earlier ones from the aggregate.
        workers.stop()
        try server.database.ingest([TestModels.calmCase("agg-1", start: 1_795_603_835, seconds: 20, seed: 9)])
        try check("right after new data")
        // Late data in the first minute shows at once too.
        try server.database.ingest([TestModels.calmCase("agg-1", start: 1_795_600_000, seconds: 20, seed: 5)])
        try check("right after late data")
    }

    /// A minute of equal readings averages to that reading as printed, as
    /// pandas' mean of the export gives it: 36.1, not 36.099998474121094
    /// (the real 36.1 as a double), which is below the printed min.
    @Test func aBucketOfEqualReadingsAveragesToThatReading() throws {
        let server = try TestServer()
        var batch = SampleBatch(caseID: "agg-temp")
        for second in 0..<60 { batch.set(.temp, row: batch.appendRow(timestamp: (1_795_600_020 + Int64(second)) * 1_000_000), to: 36.1) }
        try server.database.ingest([batch])
        let response = try get(server, "/cases/agg-temp/vitals?bucket=1m")
        let avg = response.withJSON { $0["buckets"]?[0]?["temp"]?["avg"]?.number }
        let min = response.withJSON { $0["buckets"]?[0]?["temp"]?["min"]?.number }
        #expect(avg == 36.1 && min == 36.1)
    }

    @Test func rawVitalsHonourTheTimeRange() throws {
        let server = try TestServer()
        try server.database.ingest([TestModels.calmCase("raw-1", start: 1_795_600_000, seconds: 100)])
        let response = try get(server, "/cases/raw-1/vitals?from=1795600010&to=\(Timestamp.format(1_795_600_019_000_000))")
        #expect(response.status == 200)
        #expect(response.withJSON { $0["samples"]?.count } == 10)
        #expect(response.withJSON { $0["samples"]?[0]?["t"]?.string } == Timestamp.format(1_795_600_010_000_000))
        #expect(response.withJSON { $0["samples"]?[0]?["temp"] } == nil, "missing vitals are left out")
    }

    @Test func anomaliesAsEpisodesAndAsSamples() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        try server.database.ingest([TestModels.caseWithCrisis("an-1", start: 1_795_600_000, seconds: 400, crisis: 200..<260)])
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        #expect(try server.database.waitForEmptyQueue())
        let episodes = try get(server, "/cases/an-1/anomalies?min_score=0.6")
        #expect(episodes.status == 200)
        let crisis = episodes.withJSON { json -> (String, String, Int)? in
            let list = json["episodes"]!
            for index in 0..<list.count where list[index]!["rules"]!.count > 0 {
                return (list[index]!["start"]!.string!, list[index]!["end"]!.string!, list[index]!["drivers"]!.count)
            }
            return nil
        }
        #expect(crisis != nil)
        #expect(crisis.map { $0.0 <= Timestamp.format(1_795_600_200_000_000) && $0.1 >= Timestamp.format(1_795_600_259_000_000) } == true)
        #expect((crisis?.2 ?? 0) > 0)
        let samples = try get(server, "/cases/an-1/anomalies?granularity=sample&from=1795600200&to=1795600209")
        #expect(samples.withJSON { $0["samples"]?.count } == 10)
        #expect(samples.withJSON { $0["samples"]?[0]?["anomalous"]?.bool } == true)
        // A breached rule scores 1; the calm minutes around it score far lower.
        let high = try get(server, "/cases/an-1/anomalies?granularity=sample&min_score=0.99")
        #expect(high.withJSON { $0["samples"]?.count } == 60)
        #expect(high.withJSON { json in (0..<60).allSatisfy { json["samples"]![$0]!["rules"]!.count > 0 } } == true)
        #expect(samples.withJSON { $0["samples"]?[0]?["source"]?.string } == "rule", "the floor, from the breach's first sample")
    }

    @Test(arguments: [
        "/cases/x/vitals?from=1795600100&to=1795600000",
        "/cases/x/vitals?bucket=5m",
        "/cases/x/vitals?from=yesterday",
        "/cases/x/vitals?form=1795600000",
        "/cases/x/anomalies?granularity=minute",
        "/cases/x/anomalies?min_score=2",
        "/cases?limit=0",
        "/cases?limit=1001",
        "/cases?cursor=not-a-cursor",
        "/cases?active_since=soon",
    ])
    func badParametersAre400(path: String) throws {
        let server = try TestServer()
        try server.database.ingest([TestModels.calmCase("x", start: 1_795_600_000, seconds: 5)])
        let response = try get(server, path)
        #expect(response.status == 400, "\(path): \(response.text)")
        #expect(response.header("Content-Type") == "application/problem+json")
    }

    /// A finished case's answer is kept; its next sample makes the next read build a new one.
    @Test func anUnchangedCaseIsAnsweredFromMemoryUntilItsNextSample() throws {
        let server = try TestServer()
        try server.database.ingest([TestModels.calmCase("kept", start: 1_795_599_960, seconds: 120)])
        func cache(_ result: String) throws -> Double? { try cacheCount(server, result) }
        func firstMinuteSamples(_ response: HTTPClient.Response) -> Double? {
            response.withJSON { $0["buckets"]?[0]?["samples"]?.number }
        }
        // Kept once the listener has connected and heard the ingest's notice
        // (either forgets kept answers; on a loaded machine both may come
        // after the first read): then a repeated read is a hit.
        var first = try get(server, "/cases/kept/vitals?bucket=1m")
        #expect(try waitUntil(seconds: 10) {
            let hits = try cache("hit") ?? 0
            first = try get(server, "/cases/kept/vitals?bucket=1m")
            let second = try get(server, "/cases/kept/vitals?bucket=1m")
            let hitsNow = try cache("hit") ?? 0
            return second.text == first.text && hitsNow >= hits + 1
        }, "a repeated read is answered from memory")
        #expect(firstMinuteSamples(first) == 60)
        let misses = try cache("miss") ?? 0
        #expect(try server.ingest("kept", json: #"{"samples":[{"t":1795599990.5,"hr":70}]}"#).status == 200)
        let third = try get(server, "/cases/kept/vitals?bucket=1m")
        #expect(firstMinuteSamples(third) == 61)
        #expect(try cache("miss") == misses + 1, "the next sample makes the next read build a new answer")
    }

    /// Kept episode answers give way to the workers' next commit for the case
    /// (its notification), within the notification's delay.
    @Test func keptAnomaliesGiveWayToNewScores() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        try server.database.ingest([TestModels.calmCase("an-2", start: 1_795_600_000, seconds: 300)])
        #expect(try server.database.waitForEmptyQueue())
        func ruleEpisodes() throws -> Int? {
            try get(server, "/cases/an-2/anomalies").withJSON { json in
                let list = json["episodes"]!
                return (0..<list.count).filter { list[$0]!["rules"]!.count > 0 }.count
            }
        }
        // A read may still see the calm scores' notification arrive (or, on a
        // loaded machine, the listener connect); once neither comes, repeated reads are from memory.
        #expect(try waitUntil(seconds: 10) {
            let hitsBefore = try cacheCount(server, "hit") ?? 0
            let counts = [try ruleEpisodes(), try ruleEpisodes()]
            let hitsNow = try cacheCount(server, "hit") ?? 0
            return counts == [0, 0] && hitsNow >= hitsBefore + 1
        }, "repeated reads answered from memory, no rule episode")
        try server.database.ingest([TestModels.caseWithCrisis("an-2", start: 1_795_600_300, seconds: 200, crisis: 50..<110)])
        #expect(try server.database.waitForEmptyQueue())
        #expect(try waitUntil(seconds: 5) { try ruleEpisodes() ?? 0 > 0 }, "the crisis episode within seconds of its commit")
    }

    func cacheCount(_ server: TestServer, _ result: String) throws -> Double? {
        try server.metric(#"physio_read_cache_requests_total{result="\#(result)"}"#)
    }

    @Test func unknownCasesAre404() throws {
        let server = try TestServer()
        for path in ["/cases/ghost", "/cases/ghost/vitals", "/cases/ghost/vitals?bucket=1m", "/cases/ghost/anomalies"] {
            #expect(try get(server, path).status == 404, "\(path)")
        }
        #expect(try get(server, "/exports/vitals?case=ghost", scope: "export").status == 404)
        // Not remembered as missing: once it has samples, the same server finds it.
        #expect(try server.ingest("ghost", json: #"{"samples":[{"t":"2026-11-24T10:00:00Z","hr":70}]}"#).status == 200)
        for path in ["/cases/ghost/vitals", "/cases/ghost/vitals?bucket=1m", "/cases/ghost/anomalies"] {
            #expect(try get(server, path).status == 200, "\(path)")
        }
    }

    @Test func readRoutesNeedTheReadScope() throws {
        let server = try TestServer()
        #expect(try get(server, "/cases", scope: "ingest").status == 403)
        #expect(try server.client().get("/cases").status == 401)
    }
}
