import PhysioHTTP
import PhysioPlatform
import PhysioServer
import PhysioTestSupport
import Testing

/// The API's own checks of what a client sends, answered before any query:
/// the real routes behind a router whose token check grants every scope,
/// in memory, with no database at all (the URL points nowhere).
@Suite struct RouteValidationTests {
    static let server = APIServer(configuration: ServerConfiguration(databaseURL: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"))
    static let router = Router(routes: server.routes,
                               authorize: { _ in TokenGrant(name: "test", scopes: ["ingest", "read", "export", "admin"]) })

    func answer(_ method: String, _ path: String, contentType: String? = nil, body: String = "",
                query: [(String, String)] = []) -> Response {
        var headers = [("Authorization", "Bearer any")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        return Self.router.answer(Request(method: method, path: path, headers: headers, query: query, body: Array(body.utf8)))
    }

    func isProblem(_ response: Response, _ status: Int) -> Bool {
        response.status == status && response.headers.contains { $0 == ("Content-Type", "application/problem+json") }
    }

    @Test(arguments: ["/cases/a;b/vitals", "/cases/\(String(repeating: "x", count: 65))/vitals", "/cases/ü/anomalies"])
    func aCaseIDOutsideTheAlphabetIs400(path: String) {
        #expect(isProblem(answer("GET", path), 400))
    }

    @Test func ingestOfAnotherMediaTypeIs415NamingTheAcceptedOnes() {
        let response = answer("POST", "/cases/or-7/vitals", contentType: "text/plain", body: "hr=72")
        #expect(isProblem(response, 415))
        #expect(response.headers.contains { $0.0 == "Accept-Post" && $0.1.contains("application/json") })
    }

    @Test func malformedOrInvalidSamplesAreRefusedBeforeTheDatabase() {
        #expect(isProblem(answer("POST", "/cases/or-7/vitals", contentType: "application/json", body: #"{"samples":["#), 400))
        let invalid = answer("POST", "/cases/or-7/vitals", contentType: "application/json",
                             body: #"{"samples":[{"t":"yesterday","hr":72}]}"#)
        #expect(isProblem(invalid, 422))
        #expect(invalid.bodyText.contains("/samples/0/t"))
    }

    @Test func anEmptyBatchIsAcceptedWithoutAWrite() {
        let response = answer("POST", "/cases/or-7/vitals", contentType: "application/json", body: #"{"samples":[]}"#)
        #expect(response.status == 200)
        #expect(response.bodyText.contains(#""accepted":0"#))
    }

    @Test(arguments: [
        ("/cases/or-7/vitals", [("bogus", "1")]),
        ("/cases/or-7/vitals", [("bucket", "5m")]),
        ("/cases/or-7/vitals", [("from", "yesterday")]),
        ("/cases/or-7/anomalies", [("min_score", "2")]),
        ("/exports/vitals", [("format", "xml")]),
        ("/exports/vitals", [("case", "")]),
        ("/exports/vitals", [("case", "a;b")]),
        ("/exports/vitals", [("order", "random")]),
        ("/jobs", [("state", "finished")]),
        ("/cases", [("limit", "0")]),
    ])
    func badQueryArgumentsAre400(path: String, query: [(String, String)]) {
        let response = answer("GET", path, query: query)
        #expect(isProblem(response, 400), "\(path) \(query): \(response.status) \(response.bodyText)")
    }

    @Test func unknownRoutesAndMethodsAreProblems() {
        #expect(isProblem(answer("GET", "/nowhere"), 404))
        #expect(isProblem(answer("DELETE", "/cases/or-7/vitals"), 405))
    }

    @Test func theProcessAnswersWithoutItsDatabase() {
        #expect(answer("GET", "/healthz").status == 200)
        #expect(answer("GET", "/openapi.json").status == 200)
    }
}
