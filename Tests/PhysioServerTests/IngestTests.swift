import PhysioClient
import PhysioCore
import PhysioHTTP
import PhysioTestSupport
import Testing
import PhysioPlatform

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct IngestTests {
    static let sample = #"{"t":"2026-11-24T10:00:00.250Z","hr":72,"sbp":118,"dbp":61,"mbp":80,"spo2":98,"rr":14,"etco2":35,"temp":36.4}"#

    @Test func jsonRoundTripStoresEveryVital() throws {
        let server = try TestServer()
        let response = try server.ingest("or-7", json: #"{"samples":[\#(Self.sample)]}"#)
        #expect(response.status == 200)
        #expect(response.number("accepted") == 1)
        #expect(response.number("duplicates") == 0)
        let row = try server.database.connect().query(
            "SELECT (extract(epoch from ts) * 1000000)::int8, hr, sbp, dbp, mbp, spo2, rr, etco2, temp FROM vitals WHERE case_id = 'or-7'")
        #expect(row.rowCount == 1)
        #expect(row.int64(0, 0) == Timestamp.parseRFC3339("2026-11-24T10:00:00.250Z"))
        #expect((1...8).map { row.float(0, $0)! } == [72, 118, 61, 80, 98, 14, 35, 36.4])
    }

    /// JSON's -0.0 and NDJSON's -0 are zero, stored without a sign that an export would print.
    @Test func aNegativeZeroIsStoredAsZero() throws {
        let server = try TestServer()
        #expect(try server.ingest("or-0", json: #"{"samples":[{"t":"2026-11-24T10:00:00Z","hr":-0.0}]}"#).status == 200)
        let ndjson = try server.client().send("POST", "/cases/or-0/vitals", headers: [server.bearer("ingest"), ("Content-Type", "application/x-ndjson")],
                                              body: Array(#"{"t":"2026-11-24T10:00:01Z","rr":-0}"#.utf8) + [0x0A])
        #expect(ndjson.status == 200, "\(ndjson.text)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'or-0' AND coalesce(hr, rr)::text = '0'") == 2)
    }

    @Test func ndjsonRoundTripWithEpochSecondsAndMissingVitals() throws {
        let server = try TestServer()
        let body = """
            {"t":1795600000.5,"hr":70}
            {"t":1795600001,"spo2":97,"hr":null}

            {"t":"2026-11-24T10:00:02+01:00","sbp":120,"dbp":60}
            """
        let response = try server.client().send("POST", "/cases/ndjson-1/vitals",
            headers: [server.bearer("ingest"), ("Content-Type", "application/x-ndjson")], body: Array(body.utf8))
        #expect(response.status == 200)
        #expect(response.number("accepted") == 3)
        let rows = try server.database.connect().query(
            "SELECT (extract(epoch from ts) * 1000000)::int8, hr, spo2, sbp FROM vitals WHERE case_id = 'ndjson-1' ORDER BY ts")
        #expect(rows.rowCount == 3)
        #expect(rows.int64(0, 0) == Timestamp.parseRFC3339("2026-11-24T09:00:02Z"))
        #expect(rows.float(0, 3) == 120)
        #expect(rows.int64(1, 0) == 1_795_600_000_500_000)
        #expect(rows.float(2, 1) == nil && rows.float(2, 2) == 97)
    }

    @Test func theSameBatchTwiceIsStoredOnce() throws {
        let server = try TestServer()
        let batch = (0..<50).map { #"{"t":\#(1_795_600_000 + $0),"hr":\#(60 + $0 % 20)}"# }.joined(separator: ",")
        let first = try server.ingest("dup", json: #"{"samples":[\#(batch)]}"#)
        let second = try server.ingest("dup", json: #"{"samples":[\#(batch)]}"#)
        #expect(first.number("accepted") == 50 && first.number("duplicates") == 0)
        #expect(second.number("accepted") == 0 && second.number("duplicates") == 50)
        #expect(second.number("merged") == 0 && second.number("conflicts") == 0)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'dup'") == 50)
        // One job for the batch that stored rows, none for the all-duplicate one.
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs WHERE case_id = 'dup'") == 1)
        #expect(try server.database.scalar("SELECT samples FROM inference_jobs WHERE case_id = 'dup'") == "50")
    }


    /// One instant, sent once as RFC 3339 and once as epoch seconds, with
    /// digits beyond the microsecond: both round alike, into one row.
    @Test func rfc3339AndEpochSecondsOfOneInstantAreOneRow() throws {
        let server = try TestServer()
        let rfc3339 = Timestamp.format(1_795_600_000_000_000).dropLast() + ".1234567Z"
        _ = try server.ingest("resolution", json: #"{"samples":[{"t":"\#(rfc3339)","hr":72}]}"#)
        let epoch = try server.ingest("resolution", json: #"{"samples":[{"t":1795600000.1234567,"spo2":97}]}"#)
        #expect(epoch.number("merged") == 1, "\(epoch.text)")
        let row = try server.database.connect().query("SELECT (extract(epoch from ts) * 1000000)::int8, hr, spo2 FROM vitals WHERE case_id = 'resolution'")
        #expect(row.rowCount == 1)
        #expect(row.int64(0, 0) == 1_795_600_000_123_457)
    }

    @Test func oneJobPerAcceptedBatchCoversItsTimeRange() throws {
        let server = try TestServer()
        let client = server.client()
        for batch in 0..<3 {
            let samples = (0..<10).map { #"{"t":\#(1_795_600_000 + batch * 10 + $0),"hr":70}"# }.joined(separator: ",")
            #expect(try server.ingest("jobs", json: #"{"samples":[\#(samples)]}"#, client: client).status == 200)
        }
        let jobs = try server.database.connect().query(
            "SELECT extract(epoch from ts_from)::int8, extract(epoch from ts_to)::int8, samples FROM inference_jobs WHERE case_id = 'jobs' ORDER BY id")
        #expect(jobs.rowCount == 3)
        for batch in 0..<3 {
            #expect(jobs.int(batch, 0) == 1_795_600_000 + batch * 10)
            #expect(jobs.int(batch, 1) == 1_795_600_000 + batch * 10 + 9)
            #expect(jobs.int(batch, 2) == 10)
        }
    }

    @Test func emptyBatchIsAcceptedAndWritesNothing() throws {
        let server = try TestServer()
        let response = try server.ingest("empty", json: #"{"samples":[]}"#)
        #expect(response.status == 200 && response.number("accepted") == 0)
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs") == 0)
    }
}
