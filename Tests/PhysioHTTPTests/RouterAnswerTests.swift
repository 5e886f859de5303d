import PhysioHTTP
import PhysioPlatform
import PhysioTestSupport
import Testing

/// What the router answers before and around a handler: authentication,
/// scopes, unknown paths and methods, and errors, all without a socket or
/// a database (in-memory requests through `Router.respond`).
@Suite struct RouterAnswerTests {
    struct Unmapped: Error {}
    struct Mapped: Error {}

    let router = Router(routes: [
        Route("GET", "/cases/{case_id}", scope: "read") { request in
            .now(.text("\(request.pathParameters["case_id"] ?? "") \(request.principal ?? "") \(request.query("window") ?? "-")"))
        },
        Route("POST", "/cases/{case_id}", scope: "ingest") { _ in .now(.text("stored")) },
        Route("GET", "/open", scope: nil) { _ in .now(.text("open")) },
        Route("GET", "/bad", scope: nil) { _ in throw Problem.badRequest("not like that") },
        Route("GET", "/mapped", scope: nil) { _ in throw Mapped() },
        Route("GET", "/crash", scope: nil) { _ in throw Unmapped() },
    ], authorize: { token in
        switch token {
        case "reader": TokenGrant(name: "dashboard", scopes: ["read"])
        case "down": throw Problem.serviceUnavailable("cannot check the token")
        default: nil
        }
    }, mapError: { error, _ in error is Mapped ? .serviceUnavailable("mapped") : nil })

    func answer(_ method: String, _ path: String, token: String? = nil, authorization: String? = nil,
                query: [(String, String)] = []) -> Response {
        let header = authorization ?? token.map { "Bearer \($0)" }
        return router.answer(Request(method: method, path: path, headers: header.map { [("Authorization", $0)] } ?? [],
                                     query: query, id: "req-1"))
    }

    @Test func aScopedRouteWithoutATokenIs401WithAChallenge() {
        let response = answer("GET", "/cases/or-7")
        #expect(response.status == 401)
        #expect(response.header("WWW-Authenticate") == #"Bearer realm="physio""#)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.bodyText.contains(#""status":401"#))
    }

    @Test func anotherSchemeOrAnUnknownTokenIs401() {
        #expect(answer("GET", "/cases/or-7", authorization: "Basic cmVhZGVyOg==").status == 401)
        let unknown = answer("GET", "/cases/or-7", token: "stolen")
        #expect(unknown.status == 401)
        #expect(unknown.header("WWW-Authenticate")?.contains("invalid_token") == true)
    }

    @Test func aTokenWithoutTheRoutesScopeIs403NamingIt() {
        let response = answer("POST", "/cases/or-7", token: "reader")
        #expect(response.status == 403)
        #expect(response.header("WWW-Authenticate")?.contains(#"scope="ingest""#) == true)
    }

    @Test func aGoodTokenReachesTheHandlerWithParametersAndPrincipal() {
        let response = answer("GET", "/cases/or-7", token: "reader", query: [("window", "900")])
        #expect(response.status == 200)
        #expect(response.bodyText == "or-7 dashboard 900")
        #expect(answer("GET", "/cases/or-7", authorization: "bearer   reader  ").status == 200)
        #expect(answer("GET", "/open").status == 200)
    }

    @Test func aTokenCheckThatCannotTellIs503() {
        let response = answer("GET", "/cases/or-7", token: "down")
        #expect(response.status == 503)
        #expect(response.header("Retry-After") != nil)
    }

    @Test func unknownPathsAre404AndOtherMethods405WithAllow() {
        #expect(answer("GET", "/nowhere").status == 404)
        let response = answer("DELETE", "/cases/or-7", token: "reader")
        #expect(response.status == 405)
        #expect(Set((response.header("Allow") ?? "").split(separator: ",").map { $0.trimmingSpaces }) == ["GET", "POST", "HEAD"])
        #expect(answer("HEAD", "/open").status == 200)
    }

    @Test func handlerErrorsBecomeProblems() {
        let bad = answer("GET", "/bad")
        #expect(bad.status == 400 && bad.bodyText.contains("not like that"))
        #expect(answer("GET", "/mapped").status == 503)
        let crash = answer("GET", "/crash")
        #expect(crash.status == 500)
        #expect(crash.bodyText.contains("req-1"), "the detail names the request id to find in the log")
        #expect(!crash.bodyText.contains("Unmapped"), "the cause stays in the log")
    }
}
