import PhysioClient
import PhysioTestSupport
import Testing

/// Server bugs that schemathesis found against the contract (scripts/contract),
/// each reproduced here so it stays fixed.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ContractFindingsTests {
    /// `?case=` exported every case, as if `case` were absent: an unset
    /// `case=$CASE` in a script would dump the whole database.
    @Test(arguments: ["/exports/vitals?case=", "/exports/anomalies?case=", "/exports/vitals?case=&format=ndjson"])
    func anEmptyCaseIsRefused(path: String) throws {
        let server = try TestServer()
        try server.database.ingest([TestModels.calmCase("c-1", start: 1_795_600_000, seconds: 2)])
        let response = try server.client().get(path, headers: [server.bearer("export")])
        #expect(response.status == 400)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(!response.text.contains("c-1,"))
    }

    /// A `min_score` too small for a `real` (schemathesis sent 1.08e-266) made
    /// PostgreSQL fail with "value out of range: underflow": a 500.
    @Test(arguments: ["episode", "sample"])
    func aTinyMinScoreIsZeroNotAServerError(granularity: String) throws {
        let server = try TestServer()
        try server.database.ingest([TestModels.calmCase("c-2", start: 1_795_600_000, seconds: 2)])
        let response = try server.client().get("/cases/c-2/anomalies?granularity=\(granularity)&min_score=1.0802958999348127e-266",
                                               headers: [server.bearer("read")])
        #expect(response.status == 200, "\(response.text)")
    }

    /// A value just past a vital's range (hr 350.00000000001) rounded to the
    /// Float 350 before the range check and was stored, though the contract
    /// (and the README) give 0–350.
    @Test(arguments: [#"{"t":1795600000,"hr":350.00000000001}"#, #"{"t":1795600000,"sbp":-100.0000000001}"#,
                      #"{"t":1795600000,"temp":45.000000000001}"#])
    func aValueJustOutOfRangeIsRefused(sample: String) throws {
        let server = try TestServer()
        let response = try server.ingest("c-3", json: #"{"samples":["# + sample + "]}")
        #expect(response.status == 422, "\(response.text)")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
    }

    @Test func theRangeBoundsThemselvesAreAccepted() throws {
        let server = try TestServer()
        let response = try server.ingest("c-4", json: #"{"samples":[{"t":1795600000,"hr":350,"sbp":-100,"temp":45},{"t":1795600001,"hr":0,"sbp":400,"temp":20}]}"#)
        #expect(response.status == 200, "\(response.text)")
    }

    /// 22 errors in a 422 where the contract (and the README) promise at most
    /// 20: the limit was checked between samples, and one sample can fail
    /// several fields.
    @Test(arguments: ["application/json", "application/x-ndjson"])
    func aBadBatchListsAtMostTwentyErrors(mediaType: String) throws {
        let server = try TestServer()
        let sample = #"{"t":-5,"hr":-1,"sbp":999}"#   // three errors each: 21 after seven
        let body = mediaType == "application/json"
            ? #"{"samples":["# + Array(repeating: sample, count: 8).joined(separator: ",") + "]}"
            : Array(repeating: sample, count: 8).joined(separator: "\n")
        let response = try server.client().send("POST", "/cases/c-5/vitals",
                                                 headers: [server.bearer("ingest"), ("Content-Type", mediaType)],
                                                 body: Array(body.utf8))
        #expect(response.status == 422)
        #expect(response.withJSON { $0["errors"]?.count } == 20)
    }

    /// A negative epoch time that rounds to 0 µs (schemathesis sent -1e-323)
    /// was taken as 1970-01-01T00:00:00Z instead of refused.
    @Test func aNegativeEpochTimeIsRefused() throws {
        let server = try TestServer()
        let read = try server.client().get("/cases?active_since=-1e-323", headers: [server.bearer("read")])
        #expect(read.status == 400)
        let ingest = try server.ingest("c-6", json: #"{"samples":[{"t":-0.0000001,"hr":70}]}"#)
        #expect(ingest.status == 422)
        #expect(try server.ingest("c-6", json: #"{"samples":[{"t":0,"hr":70}]}"#).status == 200)
    }
}
