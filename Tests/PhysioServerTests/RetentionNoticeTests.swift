import PhysioClient
import PhysioCore
import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

/// Reads and exports whose range reaches past the retention periods say so
/// in `Physio-Past-Retention`; the rest carry no such header.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct RetentionNoticeTests {
    /// A case that began 40 days ago and one that began a minute ago.
    func server(raw: String? = "30 days", aggregates: String? = "5 years") throws -> TestServer {
        let server = try TestServer { configuration in
            configuration.retentionRaw = raw
            configuration.retentionAggregates = aggregates
        }
        let now = Clock.nowMicros() / 1_000_000
        // At a minute's start: its three seconds make one minute bucket whatever the clock (a run at :58 made two).
        try server.database.ingest([TestModels.calmCase("old", start: (now - 40 * 86_400) / 60 * 60, seconds: 3),
                                    TestModels.calmCase("new", start: now - 60, seconds: 3)])
        return server
    }

    func notice(_ server: TestServer, _ path: String, scope: String = "read") throws -> String? {
        let response = try server.client().send("GET", path, headers: [server.bearer(scope)])
        #expect(response.status == 200, "\(path): \(response.text)")
        return response.header("Physio-Past-Retention")
    }

    @Test func readsReachingPastRawRetentionSaySo() throws {
        let server = try server()
        let oldVitals = try #require(try notice(server, "/cases/old/vitals"))
        #expect(oldVitals.hasPrefix("raw samples and their scores before 20") && oldVitals.hasSuffix("have been removed (retention 30 days)"),
                "\(oldVitals)")
        #expect(try notice(server, "/cases/old/anomalies?granularity=sample")?.hasPrefix("raw samples") == true)
        let aDayAgo = Timestamp.format(Clock.nowMicros() - 86_400_000_000)
        #expect(try notice(server, "/cases/old/vitals?from=\(aDayAgo)") == nil, "a range inside retention")
        #expect(try notice(server, "/cases/new/vitals") == nil, "a case younger than retention")
        #expect(try notice(server, "/cases/old/vitals?bucket=1m") == nil, "aggregates are kept 5 years")
        #expect(try notice(server, "/cases/old/anomalies") == nil, "episodes are never removed")
        // Asked twice: the second answer may come from the answer cache and still says so.
        #expect(try notice(server, "/cases/old/vitals") == oldVitals)
    }

    /// Answers kept in memory go with the rows `physio retention` removes:
    /// it tells every node, so a read right after it shows none of them
    /// (until 2026-12-06 a kept answer served them for up to a minute).
    @Test func keptAnswersGoWithTheRowsRetentionRemoves() throws {
        let server = try server()
        func count(_ path: String, _ list: String) throws -> Int? {
            try server.client().send("GET", path, headers: [server.bearer("read")]).withJSON { $0[list]?.count }
        }
        let hits = { try server.metric(#"physio_read_cache_requests_total{result="hit"}"#) ?? 0 }
        #expect(try count("/cases/old/vitals", "samples") == 3)
        #expect(try count("/cases/old/vitals?bucket=1m", "buckets") == 1)
        // Both answers kept: asked again, each is a hit, once the listener has
        // connected and seen the ingest's notices (either forgets kept answers).
        #expect(try waitUntil(seconds: 10) {
            let before = try hits()
            for path in ["/cases/old/vitals", "/cases/old/vitals", "/cases/old/vitals?bucket=1m", "/cases/old/vitals?bucket=1m"] {
                _ = try count(path, path.contains("bucket") ? "buckets" : "samples")
            }
            return try hits() >= before + 2
        }, "both answers kept")

        let removed = try Retention(raw: "30 days", aggregates: "35 days").purge(on: server.database.connect())
        #expect(removed.vitals == 3, "\(removed)")
        #expect(try waitUntil(seconds: 5) { try count("/cases/old/vitals", "samples") == 0 })
        #expect(try waitUntil(seconds: 5) { try count("/cases/old/vitals?bucket=1m", "buckets") == 0 })
        #expect(try count("/cases/new/vitals", "samples") == 3, "younger rows stay")
    }

    @Test func exportsReachingPastRawRetentionSaySo() throws {
        let server = try server()
        #expect(try notice(server, "/exports/vitals?case=old", scope: "export")?.hasPrefix("raw samples") == true)
        #expect(try notice(server, "/exports/vitals", scope: "export") != nil, "every case: from the oldest case's first sample")
        #expect(try notice(server, "/exports/anomalies?case=old", scope: "export") != nil)
        #expect(try notice(server, "/exports/vitals?case=new", scope: "export") == nil)
        #expect(try notice(server, "/exports/anomalies?case=old&granularity=episode", scope: "export") == nil)
    }

    @Test func aggregateRetentionAppliesToBuckets() throws {
        let server = try server(raw: nil, aggregates: "35 days")
        #expect(try notice(server, "/cases/old/vitals?bucket=1h")?.hasPrefix("minute and hour aggregates before") == true)
        #expect(try notice(server, "/cases/old/vitals") == nil, "raw data is kept")
        #expect(try notice(server, "/cases/old/anomalies?granularity=sample") == nil, "scored samples are kept")
    }

    @Test func noPeriodOrAnUnreadableOneGivesNoNotice() throws {
        #expect(try notice(try server(raw: nil, aggregates: nil), "/cases/old/vitals") == nil)
        #expect(try notice(try server(raw: "thirty days", aggregates: nil), "/cases/old/vitals") == nil)
    }
}
