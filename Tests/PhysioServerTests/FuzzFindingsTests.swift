import PhysioClient
import PhysioTestSupport
import Testing

/// Crashes found by fuzzing and review of the request parsers (scripts/fuzz;
/// the inputs are in fuzz/corpus too), each sent to a real server here. Both
/// trapped on a libmicrohttpd thread: the whole server went down.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct FuzzFindingsTests {
    /// A blood-pressure panel whose `component` is an object, not an array:
    /// it has a count but no elements by index, and a force unwrap trapped.
    @Test func aComponentObjectIsAnIssueNotACrash() throws {
        let server = try TestServer()
        let observation = FHIRTests.observation("85354-9", components: #"{"code":{"coding":[]},"valueQuantity":{"value":120}}"#)
        let response = try server.client().send("POST", "/fhir", headers: [server.bearer("ingest"), ("Content-Type", "application/fhir+json")],
                                                body: Array(FHIRTests.bundle("transaction", [observation]).utf8))
        #expect(response.status == 422, "\(response.text)")
        #expect(response.text.contains("Bundle.entry[0].resource.component"))
        #expect(try server.client().get("/healthz").status == 200)
    }

    /// Last-Event-ID `-9223372036854775808.0.0`: the stream stepped back its
    /// window from Int64.min and overflowed. Now an impossible cursor is
    /// ignored and the stream starts from now.
    @Test(arguments: ["-9223372036854775808.0.0", "9223372036854775807.9223372036854775807.9223372036854775807", "1..2", "x.y.z"])
    func anImpossibleLastEventIDStartsFromNow(lastEventID: String) throws {
        let server = try TestServer()
        #expect(try server.ingest("resume", json: #"{"samples":[{"t":1795600000,"hr":70}]}"#).status == 200)
        let stream = try EventStreamReader(port: server.port, path: "/cases/resume/stream", token: server.tokens["read"]!,
                                           lastEventID: lastEventID)
        #expect(stream.next(within: 0.5) == nil, "nothing new yet")
        #expect(stream.status == 200)
        #expect(try server.ingest("resume", json: #"{"samples":[{"t":1795600001,"hr":71}]}"#).status == 200)
        #expect(stream.next(within: 3)?.data.contains(#""hr":71"#) == true)
        #expect(try server.client().get("/healthz").status == 200)
    }
}
