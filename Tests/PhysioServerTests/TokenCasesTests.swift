import PhysioClient
import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing

/// A token made with `--cases` writes only those cases: a leaked monitor's
/// token cannot add samples to another theatre's patient.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct TokenCasesTests {
    static let sample = Array(#"{"samples":[{"t":1795600000,"hr":70}]}"#.utf8)

    static func boundToken(_ server: TestServer) throws -> [(String, String)] {
        let created = try TokenExpiryTests.token(["create", "--scope", "ingest", "--name", "or7-monitor", "--cases", "or7-*", "or8-2026-12-06"], server)
        #expect(created.status == 0, "\(created.output)")
        return [("Authorization", "Bearer \(created.output.filter { !$0.isWhitespace })")]
    }

    @Test func aBoundTokenWritesItsCasesAndNoOther() throws {
        let server = try TestServer()
        let bearer = try Self.boundToken(server)
        let json = [("Content-Type", "application/json")]
        for caseID in ["or7-2026-12-06", "or7-", "or8-2026-12-06"] {
            #expect(try server.client().send("POST", "/cases/\(caseID)/vitals", headers: bearer + json, body: Self.sample).status == 200, "\(caseID)")
        }
        for caseID in ["or9-2026-12-06", "OR7-x", "or8-2026-12-06b", "or"] {
            let refused = try server.client().send("POST", "/cases/\(caseID)/vitals", headers: bearer + json, body: Self.sample)
            #expect(refused.status == 403, "\(caseID)")
            #expect(refused.header("Content-Type") == "application/problem+json")
            let detail = String(decoding: refused.body, as: UTF8.self)
            #expect(detail.contains("cases or7-*, or8-2026-12-06") && detail.contains(caseID), "\(detail)")
        }
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 3)
        #expect(try server.database.count("SELECT count(*) FROM cases WHERE case_id !~ '^or[78]-'") == 0)
        // An unbound ingest token still writes anywhere.
        #expect(try server.client().send("POST", "/cases/or9-2026-12-06/vitals", headers: [server.bearer("ingest")] + json,
                                         body: Self.sample).status == 200)

        // The list says what each token may write.
        let row = try TokenExpiryTests.token(["list"], server).output.split(separator: "\n").first { $0.contains("\tor7-monitor\t") }
        #expect(row?.hasSuffix("\tor7-*,or8-2026-12-06") == true, "\(row ?? "")")
    }

    /// Refused from the headers, while the client still holds most of an 8-MB body.
    @Test func anotherCaseIsRefusedBeforeTheBody() throws {
        let server = try TestServer()
        let authorization = try Self.boundToken(server)[0].1
        // The first request looks the token up; the second is decided from the cache, before its body.
        for _ in 0..<2 {
            let socket = try RawSocket(port: server.port)
            socket.send("POST /cases/or9-x/vitals HTTP/1.1\r\nHost: x\r\nAuthorization: \(authorization)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 8000000\r\n\r\n{\"samples\":[")
            let reply = String(decoding: socket.readUntilClosed(seconds: 5), as: UTF8.self)
            #expect(reply.hasPrefix("HTTP/1.1 403"), "\(reply.prefix(160))")
        }
    }

    /// A Bundle naming a case the token may not write is refused whole,
    /// batch or transaction, with an OperationOutcome: nothing is stored.
    @Test(arguments: ["batch", "transaction"])
    func aBundleNamingAnotherCaseIsRefusedWhole(type: String) throws {
        let server = try TestServer()
        let headers = try Self.boundToken(server) + [("Content-Type", "application/fhir+json")]
        let mine = FHIRTests.observation("8867-4", value: 72, unit: "/min", reference: #""encounter":{"reference":"Encounter/or7-a"}"#)
        let theirs = FHIRTests.observation("59408-5", value: 97, unit: "%", reference: #""encounter":{"reference":"Encounter/or9-b"}"#)
        let refused = try server.client().send("POST", "/fhir", headers: headers, body: Array(FHIRTests.bundle(type, [mine, theirs]).utf8))
        #expect(refused.status == 403)
        let outcome = String(decoding: refused.body, as: UTF8.self)
        #expect(outcome.contains("OperationOutcome") && outcome.contains("forbidden") && outcome.contains("or9-b"), "\(outcome)")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)

        let stored = try server.client().send("POST", "/fhir", headers: headers, body: Array(FHIRTests.bundle(type, [mine]).utf8))
        #expect(stored.status == 200, "\(String(decoding: stored.body, as: UTF8.self))")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'or7-a'") == 1)
    }

    @Test(arguments: [
        (["--scope", "ingest", "read", "--cases", "or7-*"], "ingest-only"),
        (["--scope", "admin", "--cases", "or7-*"], "ingest-only"),
        (["--scope", "ingest", "--cases", "or 7"], "case pattern"),
        (["--scope", "ingest", "--cases", "or*7*"], "case pattern"),
        (["--scope", "ingest", "--cases", "or7-%"], "case pattern"),
        (["--scope", "ingest", "--cases", "or7-*", "*"], "every case"),
    ])
    func aBindingThatCannotHoldIsRefused(arguments: [String], reason: String) throws {
        let server = try TestServer()
        let created = try TokenExpiryTests.token(["create", "--name", "bad-binding"] + arguments, server)
        #expect(created.status != 0)
        #expect(created.output.contains(reason), "\(created.output)")
        #expect(try server.database.count("SELECT count(*) FROM api_tokens WHERE name = 'bad-binding'") == 0)
    }

    /// The table refuses a bound reader too (a token written by other means).
    @Test func theTableHoldsBindingsToIngestOnlyTokens() throws {
        let server = try TestServer()
        #expect(throws: (any Error).self) {
            try server.database.connect().query("""
                INSERT INTO api_tokens (name, token_hash, scopes, case_patterns) VALUES ('r', sha256('x'), '{read}', '{or7-*}')
                """)
        }
    }
}
