@testable import PhysioHTTP
import Testing

struct RouterTests {
    let router = Router(routes: [
        Route("POST", "/cases/{case_id}/vitals", scope: "ingest") { _ in .now(.text("")) },
        Route("GET", "/cases/{case_id}/vitals", scope: "read") { _ in .now(.text("")) },
        Route("GET", "/healthz", scope: nil) { _ in .now(.text("")) },
    ], authorize: { _ in nil })

    @Test func pathsSplitIntoTheSegmentsAfterTheLeadingSlash() {
        #expect(Route.split("/cases/a.b-c/vitals") == ["cases", "a.b-c", "vitals"])
        #expect(Route.split("/") == [""])
        #expect(Route.split("/cases//vitals/") == ["cases", "", "vitals", ""])
        #expect(Route.split("") == [])
        #expect(Route.split("/ünïcode/x") == ["ünïcode", "x"])
    }

    @Test func aPatternBindsItsParameters() {
        guard case .found(let route, let parameters) = router.match(method: "POST", path: "/cases/or-7/vitals") else {
            Issue.record("no match"); return
        }
        #expect(route.method == "POST" && parameters == ["case_id": "or-7"])
    }

    @Test func segmentsMustMatchByteForByte() {
        guard case .notFound = router.match(method: "GET", path: "/cases/or-7/vitals/") else { Issue.record("trailing slash matched"); return }
        guard case .notFound = router.match(method: "GET", path: "/Healthz") else { Issue.record("case-insensitive match"); return }
        // "é" precomposed and decomposed are equal as Swift strings, not as paths.
        let strict = Router(routes: [Route("GET", "/caf\u{E9}", scope: nil) { _ in .now(.text("")) }], authorize: { _ in nil })
        guard case .notFound = strict.match(method: "GET", path: "/cafe\u{301}") else { Issue.record("canonical equivalence matched"); return }
        guard case .found = strict.match(method: "GET", path: "/caf\u{E9}") else { Issue.record("no match"); return }
    }

    @Test func aKnownPathWithAnotherMethodListsTheAllowedOnes() {
        guard case .methodNotAllowed(let allowed) = router.match(method: "DELETE", path: "/cases/x/vitals") else {
            Issue.record("not 405"); return
        }
        #expect(Set(allowed) == ["POST", "GET", "HEAD"])
        guard case .found(let route, _) = router.match(method: "HEAD", path: "/healthz") else { Issue.record("HEAD"); return }
        #expect(route.method == "GET")
    }
}
