import PhysioCore
import PhysioHTTP
import PhysioPlatform

/// `GET /` and `GET /static/{file}`: the dashboard in `static/`, compiled
/// into the binary by the EmbedFiles plugin. Open (no token): the page holds
/// no data; it asks for a read token and sends it only in a header.
struct StaticRoutes {
    var routes: [Route] {
        [
            Route("GET", "/", scope: nil) { request in .now(Self.serve("index.html", request)) },
            Route("GET", "/static/{file}", scope: nil) { request in
                .now(Self.serve(request.pathParameters["file"] ?? "", request))
            },
        ]
    }

    /// Only names compiled in can be served: a lookup, never a file-system
    /// path, so `..` and friends have nothing to reach.
    static func serve(_ name: String, _ request: Request) -> Response {
        guard let file = files[name] else { return Problem.notFound("no dashboard file '\(name.prefix(80))'").response }
        // No hashed file names, so revalidate every time; the ETag makes that a 304.
        let known = request.header("If-None-Match")?.split(separator: ",").map { $0.filter { $0 != " " } } ?? []
        if known.contains(file.etag) {
            return Response(status: 304, headers: headers(file))
        }
        return Response(status: 200, contentType: file.contentType, body: file.body, headers: headers(file))
    }

    struct File {
        let body: [UInt8]
        let contentType: String
        let etag: String
    }

    // Built once: the files never change while the server runs.
    static let files: [String: File] = Dictionary(uniqueKeysWithValues: EmbeddedStatic.files.compactMap { name, contents in
        guard let type = contentType(of: name) else { return nil }
        let body = Array(contents.utf8)
        return (name, File(body: body, contentType: type, etag: "\"\(SHA256.hex(body).prefix(16))\""))
    })

    static func contentType(of name: String) -> String? {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        default: nil  // png/ico cannot be embedded as text; nothing else is compiled in
        }
    }

    /// Scripts and styles only from this server, no inline script, no
    /// framing; data only from this origin (the API and its event stream).
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static func headers(_ file: File) -> [(String, String)] {
        [
            ("Cache-Control", "no-cache"),
            ("ETag", file.etag),
            ("Content-Security-Policy", contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"),
        ]
    }
}
