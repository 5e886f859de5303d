import PhysioClient
import PhysioHTTP
import PhysioTestSupport
import Testing

/// The contract the server serves is the one in openapi/, and it describes
/// exactly the routes the router knows, with the scope each one needs.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct OpenAPITests {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    @Test func contractIsServedWithoutAToken() throws {
        let server = try TestServer()
        let response = try server.client().get("/openapi.json")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let document = try JSONDocument.parse(response.body).get()
        let root = document.value
        #expect(root["openapi"]?.string == "3.1.0")
        #expect(root["info"]?["version"]?.string?.isEmpty == false)
        #expect(root["paths"]?.kind == .object)

        let yaml = try server.client().get("/openapi.yaml")
        #expect(yaml.status == 200)
        #expect(yaml.header("Content-Type") == "application/yaml")
        #expect(yaml.text.hasPrefix("openapi: 3.1.0\n"))
    }

    @Test func everyRouteIsInTheContractWithItsScope() throws {
        let server = try TestServer()
        let document = try JSONDocument.parse(try server.client().get("/openapi.json").body).get()
        let paths = try #require(document.value["paths"])
        #expect(!server.server.routes.isEmpty)
        for route in server.server.routes {
            let method = route.method.lowercased()
            guard let operation = paths[route.pattern]?[method] else {
                Issue.record("\(route.method) \(route.pattern) is not in openapi/openapi.yaml")
                continue
            }
            #expect(Self.scopes(of: operation, root: document.value) == route.scope.map { [$0] },
                    "\(route.method) \(route.pattern) needs \(route.scope.map { "scope \($0)" } ?? "no token")")
        }
    }

    @Test func everyOperationInTheContractHasARoute() throws {
        let server = try TestServer()
        let document = try JSONDocument.parse(try server.client().get("/openapi.json").body).get()
        let known = Set(server.server.routes.map { "\($0.method) \($0.pattern)" })
        var described: [String] = []
        document.value["paths"]?.forEachMember { path, item in
            for method in Self.methods where item[method] != nil {
                described.append("\(method.uppercased()) \(String(decoding: path, as: UTF8.self))")
            }
        }
        #expect(!described.isEmpty)
        for operation in described {
            #expect(known.contains(operation), "\(operation) is in the contract but the server has no such route")
        }
    }

    /// Bearer roles of an operation's security requirement (the document's
    /// default when it has none); nil for an open operation (`security: []`).
    static func scopes(of operation: JSONValue, root: JSONValue) -> [String]? {
        guard let requirements = operation["security"] ?? root["security"], requirements.count > 0 else { return nil }
        var scopes: [String] = []
        for index in 0..<requirements.count {
            guard let roles = requirements[index]?["bearer"] else { continue }
            for role in 0..<roles.count { roles[role]?.string.map { scopes.append($0) } }
        }
        return scopes
    }
}
