import PhysioHTTP

/// `GET /openapi.json` and `GET /openapi.yaml`: the contract compiled into
/// the binary (the EmbedFiles plugin), open to anyone so clients and tools
/// can fetch it before they have a token.
struct OpenAPIRoutes {
    var routes: [Route] {
        [
            Route("GET", "/openapi.json", scope: nil) { _ in .now(Self.json) },
            Route("GET", "/openapi.yaml", scope: nil) { _ in .now(Self.yaml) },
        ]
    }

    // Built once: the documents never change while the server runs.
    static let json = response(for: "openapi.json", contentType: "application/json")
    static let yaml = response(for: "openapi.yaml", contentType: "application/yaml")

    private static func response(for name: String, contentType: String) -> Response {
        guard let file = EmbeddedContract.files.first(where: { $0.name == name }) else {
            // Only a build without openapi/ gets here; OpenAPITests fails on it.
            return Problem.notFound("this server was built without openapi/\(name)").response
        }
        return Response(status: 200, contentType: contentType, body: Array(file.contents.utf8))
    }
}
