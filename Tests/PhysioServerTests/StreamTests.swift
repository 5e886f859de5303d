import PhysioClient
import PhysioCore
import PhysioTestSupport
import Testing
import PhysioPlatform
import PhysioStore

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct StreamTests {
    /// A JSON body of samples at `start` plus each of `seconds`, each with `vitals` (`"hr":70`).
    static func samplesJSON(_ seconds: Range<Int>, from start: Int64, _ vitals: String) -> String {
        #"{"samples":["# + seconds.map { #"{"t":\#(start + Int64($0)),\#(vitals)}"# }.joined(separator: ",") + "]}"
    }

    /// The case's stream, open and quiet: what came before it is not news.
    static func openQuiet(_ server: TestServer, _ caseID: String) throws -> EventStreamReader {
        let stream = try EventStreamReader(port: server.port, path: "/cases/\(caseID)/stream", token: server.tokens["read"]!)
        #expect(waitUntil(seconds: 5) { stream.next(within: 0.1) == nil && stream.status == 200 })
        return stream
    }

    @Test func anIngestedSampleArrivesOnTheStreamWithinASecond() throws {
        let server = try TestServer()
        #expect(try server.ingest("sse-1", json: #"{"samples":[{"t":1795600000,"hr":70}]}"#).status == 200)
        let stream = try EventStreamReader(port: server.port, path: "/cases/sse-1/stream", token: server.tokens["read"]!)
        #expect(stream.next(within: 0.3) == nil, "nothing new yet")
        #expect(stream.status == 200)
        #expect(stream.headers.contains("text/event-stream"))
        let sent = Clock.monotonicNanos()
        #expect(try server.ingest("sse-1", json: #"{"samples":[{"t":1795600001,"hr":91}]}"#).status == 200)
        let event = stream.next(within: 1.0)
        let elapsed = Double(Clock.monotonicNanos() - sent) / 1e9
        #expect(event?.name == "sample")
        #expect(event?.data.contains(#""hr":91"#) == true)
        #expect(event?.data.contains(Timestamp.format(1_795_600_001_000_000)) == true)
        #expect(elapsed < 1.0)
        // Other cases' samples do not appear on this stream.
        #expect(try server.ingest("sse-other", json: #"{"samples":[{"t":1795600002,"hr":60}]}"#).status == 200)
        #expect(stream.next(within: 0.3) == nil)
    }

    /// A second message of an instant (SpO2 after HR) fills the stored row,
    /// and the stream sends that row again, whole: a dashboard that drew HR
    /// alone gets the SpO2 too.
    @Test func aMergedSampleIsSentAgainWhole() throws {
        let server = try TestServer()
        #expect(try server.ingest("sse-merge", json: #"{"samples":[{"t":1795599999,"hr":69}]}"#).status == 200)
        let stream = try EventStreamReader(port: server.port, path: "/cases/sse-merge/stream", token: server.tokens["read"]!)
        // The stream starts from what is stored when it opens: let it open first.
        #expect(waitUntil(seconds: 5) { stream.next(within: 0.1) == nil && stream.status == 200 })
        #expect(try server.ingest("sse-merge", json: #"{"samples":[{"t":1795600000,"hr":70}]}"#).status == 200)
        let first = stream.next(within: 2)
        #expect(first?.name == "sample" && first?.data.contains("spo2") == false, "\(String(describing: first))")
        #expect(try server.ingest("sse-merge", json: #"{"samples":[{"t":1795600000,"spo2":96}]}"#).number("merged") == 1)
        let second = stream.next(within: 2)
        #expect(second?.name == "sample")
        #expect(second?.data.contains(#""hr":70"#) == true && second?.data.contains(#""spo2":96"#) == true, "\(String(describing: second))")
        // The same values again change nothing and send nothing.
        #expect(try server.ingest("sse-merge", json: #"{"samples":[{"t":1795600000,"spo2":96}]}"#).number("duplicates") == 1)
        #expect(stream.next(within: 0.5) == nil)
    }

    @Test func scoresAndEpisodesFollowAndResumeAfterLastEventID() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        try server.database.ingest([TestModels.calmCase("sse-2", start: 1_795_600_000, seconds: 300)])
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        #expect(try server.database.waitForEmptyQueue())
        let stream = try EventStreamReader(port: server.port, path: "/cases/sse-2/stream", token: server.tokens["read"]!)
        _ = stream.next(within: 0.2)
        try server.database.ingest([TestModels.caseWithCrisis("sse-2", start: 1_795_600_300, seconds: 40, crisis: 0..<40)])
        var names: [String] = []
        var lastID: String?
        while let event = stream.next(within: 3), names.count < 200 {
            names.append(event.name)
            lastID = event.id
            if names.contains("episode") && names.filter({ $0 == "score" }).count >= 40 { break }
        }
        #expect(names.filter { $0 == "sample" }.count == 40)
        #expect(names.filter { $0 == "score" }.count >= 40)
        #expect(names.contains("episode"))
        // Resuming from the last id sends nothing already seen.
        let resumed = try EventStreamReader(port: server.port, path: "/cases/sse-2/stream", token: server.tokens["read"]!,
                                            lastEventID: lastID)
        #expect(resumed.next(within: 0.5).map { $0.name != "sample" } ?? true)
    }

    /// Rows committed behind the newest the stream sent, further than its
    /// 30-s window: a cuff reading stamped when the cuff started, 45 s
    /// before the message that brings it (merged into a stored instant), and
    /// a monitor's backlog of new instants 3 minutes behind. Each comes once;
    /// until 2026-12-07 neither came until the page read the case again.
    @Test func rowsCommittedBehindTheNewestSentComeOnce() throws {
        let server = try TestServer()
        let start: Int64 = 1_795_600_000
        func rows(_ seconds: Range<Int>, _ vitals: String) -> String { Self.samplesJSON(seconds, from: start, vitals) }
        #expect(try server.ingest("sse-behind", json: rows(0..<60, #""hr":70"#)).status == 200)
        let stream = try Self.openQuiet(server, "sse-behind")
        #expect(try server.ingest("sse-behind", json: rows(60..<240, #""hr":71"#)).number("accepted") == 180)
        #expect(try server.ingest("sse-behind", json: rows(195..<196, #""sbp":84,"dbp":40,"mbp":55"#)).number("merged") == 1)
        #expect(try server.ingest("sse-behind", json: rows((-200)..<(-180), #""hr":72"#)).number("accepted") == 20, "before the stream opened")
        #expect(try server.ingest("sse-behind", json: rows(2..<12, #""spo2":97"#)).number("merged") == 10)
        #expect(try server.ingest("sse-behind", json: rows(240..<241, #""hr":73"#)).number("accepted") == 1)
        var samples: [String] = []
        while let event = stream.next(within: 2) {
            if event.name == "sample" { samples.append(event.data) }
        }
        let cuff = Timestamp.format((start + 195) * 1_000_000)
        #expect(samples.filter { $0.contains(cuff) && $0.contains(#""mbp":55"#) }.count == 1, "the cuff's reading, 45 s behind, once")
        #expect(samples.filter { $0.contains(#""spo2":97"#) }.count == 10, "the backlog, 3 minutes behind, once each")
        #expect(samples.filter { $0.contains(#""hr":72"#) }.count == 20, "new instants before the stream's start")
        // The cuff's instant came alone first only if the stream woke before the merge (not on a loaded machine).
        let cuffAlone = samples.filter { $0.contains(cuff) && !$0.contains("mbp") }.count
        #expect(cuffAlone <= 1)
        #expect(samples.filter { $0.contains(#""hr":71"#) && !$0.contains(cuff) }.count == 179, "the live rows, once each")
        #expect(samples.count == 179 + cuffAlone + 1 + 20 + 10 + 1, "nothing twice: \(samples.count)")
    }

    /// Rows committed more than 10 minutes behind the newest sent are not
    /// sent; a `backfill` event names their times so the client reads them.
    @Test func rowsFurtherBehindThanTheReachAreNamedForTheClientToRead() throws {
        let server = try TestServer()
        let start: Int64 = 1_795_600_000
        func rows(_ seconds: Range<Int>, _ vitals: String) -> String { Self.samplesJSON(seconds, from: start, vitals) }
        #expect(try server.ingest("sse-far", json: rows(0..<60, #""hr":70"#)).status == 200)
        let stream = try Self.openQuiet(server, "sse-far")
        #expect(try server.ingest("sse-far", json: rows(60..<900, #""hr":71"#)).number("accepted") == 840)
        var live = 0
        #expect(waitUntil(seconds: 15) {
            while let event = stream.next(within: 0.2) { live += event.name == "sample" ? 1 : 0 }
            return live >= 840
        })
        #expect(live == 840)

        // 13 minutes behind the newest sent; then a backlog across the 10-minute reach (its edge at 299 s).
        #expect(try server.ingest("sse-far", json: rows(100..<130, #""spo2":97"#)).number("merged") == 30)
        #expect(try server.ingest("sse-far", json: rows(280..<320, #""spo2":96"#)).number("merged") == 40)
        var samples: [String] = [], backfills: [String] = []
        while let event = stream.next(within: 2) {
            if event.name == "sample" { samples.append(event.data) }
            if event.name == "backfill" { backfills.append(event.data) }
        }
        let second = { (offset: Int64) in Timestamp.format((start + offset) * 1_000_000) }
        #expect(backfills.contains(#"{"of":"sample","from":"\#(second(100))","to":"\#(second(129))"}"#), "\(backfills)")
        #expect(backfills.contains(#"{"of":"sample","from":"\#(second(280))","to":"\#(Timestamp.format((start + 299) * 1_000_000 - 1))"}"#),
                "\(backfills)")
        #expect(backfills.count == 2, "\(backfills)")
        #expect(!samples.contains { $0.contains(#""spo2":97"#) }, "beyond the reach: named, not sent")
        #expect(samples.filter { $0.contains(#""spo2":96"#) }.count == 21, "299 s to 319 s sent: \(samples.count)")
    }

    /// A commit's notification may reach the hub after a stream opened,
    /// though the commit came before (a loaded machine): its rows are not
    /// news to that stream's client, which could read them, and are not sent
    /// (until 2026-12-07 they came again). A commit after the opening is.
    @Test func aCommitFromBeforeTheStreamOpenedIsNotNews() throws {
        let server = try TestServer()
        let start: Int64 = 1_795_600_000
        #expect(try server.ingest("sse-news", json: Self.samplesJSON(0..<300, from: start, #""hr":70"#)).number("accepted") == 300)
        let outside = try server.database.connect()
        /// Rows at half seconds, committed by one transaction without a notification: its id and the rows' span.
        func commitQuietly(from second: Int64, hr: Int) throws -> (String, String) {
            try outside.transaction {
                for half in 0..<10 {
                    try outside.query("INSERT INTO vitals (case_id, ts, hr) VALUES ('sse-news', to_timestamp($1), $2)",
                                      ["\(Double(start + second + Int64(half)) + 0.5)", "\(hr)"])
                }
                let xid = try outside.query("SELECT pg_current_xact_id()::text").scalar(String.self)
                let first = (start + second) * 1_000_000 + 500_000
                return (xid, "sse-news:\(first):\(first + 9_000_000)")
            }
        }
        let (before, beforeSpan) = try commitQuietly(from: 100, hr: 80)
        let stream = try Self.openQuiet(server, "sse-news")
        let (after, afterSpan) = try commitQuietly(from: 150, hr: 81)
        for (xid, span) in [(before, beforeSpan), (after, afterSpan)] {
            try outside.query("SELECT pg_notify($1, $2)", [CaseEvents.channel, "v \(span) @\(xid)"])
        }
        var samples: [String] = []
        while let event = stream.next(within: 2) {
            if event.name == "sample" { samples.append(event.data) }
        }
        #expect(samples.filter { $0.contains(#""hr":81"#) }.count == 10, "committed after the stream opened: \(samples.count)")
        #expect(!samples.contains { $0.contains(#""hr":80"#) }, "committed before it opened")
    }

    /// A batch denser than one read (2,100 rows 10 ms apart, then live
    /// rows): every row comes. Until 2026-12-07 each wake read the window
    /// behind the cursor from its start, 2,000 rows already sent, and the
    /// stream sent nothing more.
    @Test func aWindowDenserThanOneReadIsReadThrough() throws {
        let server = try TestServer()
        let start = 1_795_600_000.0
        #expect(try server.ingest("sse-dense", json: #"{"samples":[{"t":\#(start),"hr":70}]}"#).status == 200)
        let stream = try Self.openQuiet(server, "sse-dense")
        let dense = (1...2100).map { #"{"t":\#(start + Double($0) / 100),"hr":71}"# }
        #expect(try server.ingest("sse-dense", json: #"{"samples":["# + dense.joined(separator: ",") + "]}").number("accepted") == 2100)
        for second in 30..<33 {
            #expect(try server.ingest("sse-dense", json: #"{"samples":[{"t":\#(start + Double(second)),"hr":72}]}"#).status == 200)
        }
        var dense71 = 0, live72 = 0
        #expect(waitUntil(seconds: 15) {
            while let event = stream.next(within: 0.2) {
                guard event.name == "sample" else { continue }
                if event.data.contains(#""hr":71"#) { dense71 += 1 }
                if event.data.contains(#""hr":72"#) { live72 += 1 }
            }
            return dense71 >= 2100 && live72 >= 3
        })
        #expect(dense71 == 2100 && live72 == 3, "\(dense71) dense rows, \(live72) live")
    }

    /// The scores of a backlog come too, once each, when the workers have
    /// scored it, though they lie minutes behind the newest score sent.
    @Test func scoresOfABacklogComeOnce() throws {
        let server = try TestServer()
        try TestModels.register(on: server.database)
        let workers = try server.database.startWorkers()
        defer { workers.stop() }
        let start: Int64 = 1_795_600_000
        // A monitor that lost its network for 10 s at 150 s sends those rows later.
        let first = TestModels.calmCase("sse-backlog", start: start, seconds: 240)
        var live = SampleBatch(caseID: "sse-backlog")
        for row in 0..<first.count where !(150..<160).contains(row) { live.append(row: row, of: first) }
        try server.database.ingest([live])
        #expect(try server.database.waitForEmptyQueue())
        let stream = try Self.openQuiet(server, "sse-backlog")
        try server.database.ingest([TestModels.calmCase("sse-backlog", start: start + 240, seconds: 60)])
        #expect(try server.database.waitForEmptyQueue())
        var late = SampleBatch(caseID: "sse-backlog")
        for row in 150..<160 { late.append(row: row, of: first) }
        try server.database.ingest([late])
        #expect(try server.database.waitForEmptyQueue())
        let backlog = late.timestamps
        var scores: [String] = []
        while let event = stream.next(within: 2) {
            if event.name == "score" { scores.append(event.data) }
        }
        for time in backlog {
            #expect(scores.filter { $0.contains(Timestamp.format(time)) }.count == 1, "\(Timestamp.format(time)): \(scores.count) scores")
        }
        #expect(scores.count == 60 + 10, "the live minute and the backlog, nothing twice: \(scores.sorted())")
    }

    /// Rows committed while a client was away that lie behind its last
    /// event's times (a late sample, a merge into an instant it had) come
    /// when it resumes on the same server, and nothing it had comes again
    /// (until 2026-12-06 only rows after those times came). A session this
    /// server does not know (another node's) resumes after the times.
    @Test func aResumedStreamGetsWhatCameLateWhileItWasAway() throws {
        let server = try TestServer()
        let token = server.tokens["read"]!
        #expect(try server.ingest("sse-late", json: #"{"samples":[{"t":1795600000,"hr":70}]}"#).status == 200)
        var first: EventStreamReader? = try EventStreamReader(port: server.port, path: "/cases/sse-late/stream", token: token)
        #expect(waitUntil(seconds: 5) { first?.next(within: 0.1) == nil && first?.status == 200 })
        #expect(try server.ingest("sse-late", json: #"{"samples":[{"t":1795600010,"hr":71}]}"#).status == 200)
        let had = try #require(first?.next(within: 2))
        #expect(had.name == "sample" && had.data.contains(#""hr":71"#), "\(had)")
        let lastID = try #require(had.id)
        first = nil   // the connection drops

        #expect(try server.ingest("sse-late", json: #"{"samples":[{"t":1795600005,"hr":72}]}"#).number("accepted") == 1)
        #expect(try server.ingest("sse-late", json: #"{"samples":[{"t":1795600010,"spo2":97}]}"#).number("merged") == 1)
        #expect(try server.ingest("sse-late", json: #"{"samples":[{"t":1795600020,"hr":74}]}"#).number("accepted") == 1)

        func samples(after id: String) throws -> [String] {
            let stream = try EventStreamReader(port: server.port, path: "/cases/sse-late/stream", token: token, lastEventID: id)
            var data: [String] = []
            // The first event may take a while on a loaded machine; after it, a second's silence ends the resume.
            var wait = 10.0
            while let event = stream.next(within: wait) {
                wait = 1
                if event.name == "sample" { data.append(event.data) }
            }
            return data
        }
        let resumed = try samples(after: lastID)
        #expect(resumed.count == 3, "\(resumed)")
        #expect(resumed.contains { $0.contains(#""hr":72"#) }, "the late sample")
        #expect(resumed.contains { $0.contains(#""hr":71"#) && $0.contains(#""spo2":97"#) }, "the merged instant, whole")
        #expect(resumed.contains { $0.contains(#""hr":74"#) })
        #expect(!resumed.contains { $0.contains(#""hr":70"#) }, "had before the stream opened")

        // The same times under a session this server never sent: only what lies after them.
        let parts = lastID.split(separator: ".")
        #expect(parts.count == 6, "times, session, sequence: \(lastID)")
        let elsewhere = try samples(after: parts.prefix(4).joined(separator: ".") + ".1.1")
        #expect(elsewhere.count == 1 && elsewhere.first?.contains(#""hr":74"#) == true, "\(elsewhere)")
        #expect(try samples(after: parts.prefix(4).joined(separator: ".")) == elsewhere, "ids without a session resume as before")
    }

    @Test func unknownCaseIs404AndStreamsNeedTheReadScope() throws {
        let server = try TestServer()
        #expect(try server.client().get("/cases/ghost/stream", headers: [server.bearer("read")]).status == 404)
        try server.database.ingest([TestModels.calmCase("sse-3", start: 1_795_600_000, seconds: 2)])
        #expect(try server.client().get("/cases/sse-3/stream", headers: [server.bearer("ingest")]).status == 403)
    }
}
