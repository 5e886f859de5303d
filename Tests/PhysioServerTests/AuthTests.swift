import PhysioClient
import PhysioStore
import PhysioTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct AuthTests {
    static let body = Array(#"{"samples":[{"t":1795600000,"hr":70}]}"#.utf8)

    func post(_ server: TestServer, headers: [(String, String)]) throws -> HTTPClient.Response {
        try server.client().send("POST", "/cases/auth/vitals", headers: headers + [("Content-Type", "application/json")], body: Self.body)
    }

    @Test func missingTokenIs401WithChallenge() throws {
        let server = try TestServer()
        let response = try post(server, headers: [])
        #expect(response.status == 401)
        #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(response.header("Content-Type") == "application/problem+json")
    }

    /// A body nobody will read is not read: the answer comes from the headers,
    /// while the client still holds most of an 8-MB body, and the connection
    /// closes (a client without a token cannot make the server hold 8 MB).
    /// A token the server has not seen yet is looked up in the database off
    /// the event loop, the connection suspended, before the body is read.
    @Test(arguments: [("/cases/auth/vitals", "", "401"), ("/cases/auth/vitals", "Authorization: Basic dXNlcjpwYXNz\r\n", "401"),
                      ("/cases/auth/vitals", "Authorization: Bearer phy_\(String(repeating: "Q", count: 43))\r\n", "401"),
                      ("/nowhere", "", "404"), ("/healthz", "", "405")])
    func aRefusedRequestIsAnsweredBeforeItsBody(path: String, header: String, status: String) throws {
        let server = try TestServer()
        let socket = try RawSocket(port: server.port)
        socket.send("POST \(path) HTTP/1.1\r\nHost: x\r\n\(header)Content-Type: application/json\r\nContent-Length: 8000000\r\n\r\n{\"samples\":[")
        let reply = String(decoding: socket.readUntilClosed(seconds: 5), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 \(status)"), "\(reply.prefix(120))")
    }

    /// The routes open without a token (the dashboard's files, health, the
    /// contract) and every GET take no body: one sent is refused from the
    /// headers, unread. Until 2026-12-07 it was read and held, gzip inflated
    /// as it came, and 100 connections sending 798 kB in all took the server
    /// from 33 to 905 MB (an outside security audit). A GET with an empty
    /// body is answered as one with none.
    @Test(arguments: ["/healthz", "/", "/static/app.js", "/openapi.json", "/cases"])
    func aBodySentWithAGetIsRefusedUnread(path: String) throws {
        let server = try TestServer()
        for encoding in ["", "Content-Encoding: gzip\r\n"] {
            let socket = try RawSocket(port: server.port)
            socket.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\(encoding)Content-Length: 8000000\r\n\r\n\u{1F}\u{8B}")
            let reply = String(decoding: socket.readUntilClosed(seconds: 5), as: UTF8.self)
            #expect(reply.hasPrefix("HTTP/1.1 400") && reply.contains("takes no request body"), "\(reply.prefix(300))")
        }
        let empty = try RawSocket(port: server.port)
        empty.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        #expect(String(decoding: empty.readUntilClosed(seconds: 5), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
    }

    @Test func unknownTokenAndBadSchemeAre401() throws {
        let server = try TestServer()
        #expect(try post(server, headers: [("Authorization", "Bearer phy_not-a-real-token")]).status == 401)
        #expect(try post(server, headers: [("Authorization", "Basic dXNlcjpwYXNz")]).status == 401)
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
    }

    @Test(arguments: ["read", "export", "admin"])
    func otherScopesAreForbiddenToIngest(scope: String) throws {
        let server = try TestServer()
        let response = try post(server, headers: [server.bearer(scope)])
        #expect(response.status == 403)
        #expect(response.header("WWW-Authenticate")?.contains("insufficient_scope") == true)
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
    }

    @Test func ingestScopeIsAllowed() throws {
        let server = try TestServer()
        #expect(try post(server, headers: [server.bearer("ingest")]).status == 200)
        // The scheme is case-insensitive (RFC 9110) and spaces around the token do not count.
        #expect(try post(server, headers: [("Authorization", "bearer   \(server.tokens["ingest"]!) ")]).status == 200)
        #expect(try post(server, headers: [("Authorization", "Bearer")]).status == 401)
        #expect(try post(server, headers: [("Authorization", "Bearer ")]).status == 401)
        #expect(try post(server, headers: [("Authorization", "Bearer\t\(server.tokens["ingest"]!)")]).status == 401)
    }

    @Test func revokedTokenStopsWorkingAfterTheCache() throws {
        let server = try TestServer { $0.tokenCacheSeconds = 0 }
        let connection = try server.database.connect()
        let created = try TokenStore().create(name: "short-lived", scopes: ["ingest"], on: connection)
        let headers = [("Authorization", "Bearer \(created.token)")]
        #expect(try post(server, headers: headers).status == 200)
        #expect(try TokenStore().revoke(idOrName: "short-lived", on: connection) == 1)
        #expect(try post(server, headers: headers).status == 401)
    }

    @Test func tokensAreStoredOnlyAsHashes() throws {
        let server = try TestServer()
        let stored = try server.database.scalar("SELECT encode(token_hash, 'hex') FROM api_tokens WHERE name = 'test-ingest'")
        #expect(stored?.count == 64)
        #expect(try server.database.count("SELECT count(*) FROM api_tokens WHERE position($1 in encode(token_hash, 'escape')) > 0",
                                          [server.tokens["ingest"]!]) == 0)
    }

    @Test func healthAndReadinessAreOpen() throws {
        let server = try TestServer()
        let client = server.client()
        #expect(try client.get("/healthz").status == 200)
        let ready = try client.get("/readyz")
        #expect(ready.status == 200)
        #expect(ready.string("status") == "ready")
    }
}
