import PhysioClient
import PhysioTestSupport
import Testing

/// The built-in dashboard: the page and every file it loads (followed through
/// module imports) are served without a token, with their content type, the
/// page's security headers and an ETag that revalidates to 304; no other name,
/// and nothing outside the compiled-in files, is served.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct DashboardTests {
    static let types = ["html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
                        "css": "text/css; charset=utf-8", "svg": "image/svg+xml"]

    @Test func thePageAndEveryFileItLoadsAreServedWithoutAToken() throws {
        let server = try TestServer()
        let client = server.client()
        let page = try client.get("/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == Self.types["html"])
        #expect(page.text.contains(#"<script type="module" src="/static/app.js"></script>"#))
        #expect(try client.get("/static/index.html").body == page.body, "/ is index.html")

        // Breadth-first through src/href attributes and `from "./x.js"` imports.
        var queue = Self.references(in: page.text)
        var served: Set<String> = []
        while let path = queue.first {
            queue.removeFirst()
            guard served.insert(path).inserted else { continue }
            let response = try client.get(path)
            #expect(response.status == 200, "\(path)")
            let fileExtension = String(path.split(separator: ".").last ?? "")
            #expect(response.header("Content-Type") == Self.types[fileExtension], "\(path)")
            #expect(response.header("Content-Security-Policy")?.contains("script-src 'self'") == true, "\(path)")
            #expect(response.header("X-Content-Type-Options") == "nosniff", "\(path)")
            #expect(!response.body.isEmpty, "\(path)")
            if fileExtension == "js" { queue += Self.references(in: response.text) }
        }
        for file in ["/static/app.js", "/static/api.js", "/static/chart.js", "/static/format.js",
                     "/static/app.css", "/static/favicon.svg"] {
            #expect(served.contains(file), "the page loads \(file)")
        }
    }

    @Test func thePageForbidsInlineScriptFramingAndOtherOrigins() throws {
        let server = try TestServer()
        let page = try server.client().get("/")
        let policy = try #require(page.header("Content-Security-Policy"))
        let directives = Set(policy.split(separator: ";").map { String($0.drop(while: { $0 == " " })) })
        for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                          "object-src 'none'", "frame-ancestors 'none'"] {
            #expect(directives.contains(directive), "\(directive)")
        }
        #expect(!policy.contains("unsafe-inline"))
        #expect(page.header("X-Frame-Options") == "DENY")
        #expect(page.header("Referrer-Policy") == "no-referrer")
        // No inline script or style for the policy to refuse: the page would break under it.
        #expect(!page.text.contains("<script>"))
        #expect(!page.text.contains("<style"))
        #expect(!page.text.contains(" style=\""))
    }

    @Test func anETagRevalidatesTo304() throws {
        let server = try TestServer()
        let client = server.client()
        for path in ["/", "/static/app.js", "/static/app.css"] {
            let first = try client.get(path)
            let etag = try #require(first.header("ETag"), "\(path)")
            #expect(first.header("Cache-Control") == "no-cache", "\(path): revalidated every time")

            let unchanged = try client.get(path, headers: [("If-None-Match", etag)])
            #expect(unchanged.status == 304, "\(path)")
            #expect(unchanged.body.isEmpty)
            #expect(unchanged.header("ETag") == etag)
            #expect(try client.get(path, headers: [("If-None-Match", "\"stale\", \(etag)")]).status == 304, "\(path): one of a list")

            let stale = try client.get(path, headers: [("If-None-Match", "\"stale\"")])
            #expect(stale.status == 200, "\(path)")
            #expect(stale.body == first.body)
        }
        #expect(try client.get("/static/app.js").header("ETag") != client.get("/static/api.js").header("ETag"))
    }

    @Test func unknownNamesAndPathsOutsideTheFilesAre404() throws {
        let server = try TestServer()
        let client = server.client()
        for path in ["/static/nothing.js", "/static/app.js.map", "/static/", "/static/..", "/static/%2e%2e",
                     "/static/../index.html", "/static/..%2Findex.html", "/static/%2e%2e%2fPackage.swift",
                     "/static/static%2Fapp.js", "/index.html"] {
            let response = try client.get(path)
            #expect(response.status == 404, "\(path)")
            #expect(response.header("Content-Type") == "application/problem+json", "\(path)")
        }
    }

    /// Same-origin paths a dashboard file refers to: `src=`/`href=` attributes and relative ES module imports.
    static func references(in text: String) -> [String] {
        var paths: [String] = []
        for match in text.matches(of: /(?:src|href)="(\/[^"#?]*)"/) { paths.append(String(match.1)) }
        for match in text.matches(of: /from\s+"\.\/([A-Za-z0-9_.-]+)"/) { paths.append("/static/" + match.1) }
        return paths
    }
}
