import PhysioClient
import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing

/// Tokens and the database password never reach a log, an answer or a
/// listing: checked on the built binary, as an operator runs it.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct SecretHygieneTests {
    static let password = "pw-Hx7q2Lk9"

    static func directory() throws -> String {
        String(try Shell.output("mktemp -d /tmp/physio-secrets.XXXXXX").filter { $0 != "\n" })
    }

    /// The test database's URL with a password in it (trust authentication ignores it).
    static func urlWithPassword(_ database: TestDatabase, password: String = password) -> String {
        database.url.replacing("://physio@", with: "://physio:\(password)@")
    }

    @Test func serverLogNeverShowsTokensOrTheDatabasePassword() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        let ingest = try TokenStore().create(name: "or-secret", scopes: ["ingest"], on: connection).token
        let read = try TokenStore().create(name: "dash-secret", scopes: ["read"], on: connection).token
        let directory = try Self.directory()
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        let server = try PhysioProcess(["serve", "--port", "0", "--threads", "2", "--workers", "1"],
                                       environment: ["PHYSIO_DATABASE_URL": Self.urlWithPassword(database),
                                                     "PHYSIO_ACCESS_LOG": "all", "PHYSIO_LOG_LEVEL": "debug"],
                                       logPath: "\(directory)/serve.log")
        let listening = try #require(server.waitForLog("\"msg\":\"listening\""), "\(server.log)")
        let client = HTTPClient(host: "127.0.0.1", port: UInt16(try #require(PhysioProcess.field("port", in: listening))))

        let body = Array(#"{"samples":[{"t":1795600000,"hr":70}]}"#.utf8)
        let json = ("Content-Type", "application/json")
        #expect(try client.send("POST", "/cases/secret/vitals", headers: [("Authorization", "Bearer \(ingest)"), json], body: body).status == 200)
        // A token with a typo, a token in the wrong scheme, a token for another scope.
        let typo = String(ingest.dropLast()) + "x"
        #expect(try client.send("POST", "/cases/secret/vitals", headers: [("Authorization", "Bearer \(typo)"), json], body: body).status == 401)
        #expect(try client.send("POST", "/cases/secret/vitals", headers: [("Authorization", "Basic \(ingest)"), json], body: body).status == 401)
        #expect(try client.send("POST", "/cases/secret/vitals", headers: [("Authorization", "Bearer \(read)"), json], body: body).status == 403)
        #expect(try client.get("/cases/secret/vitals", headers: [("Authorization", "Bearer \(read)")]).status == 200)
        #expect(try client.get("/readyz").status == 200)
        #expect(server.terminate() == 0)

        let log = server.log
        #expect(log.components(separatedBy: "\"msg\":\"request\"").count - 1 >= 6, "the access log is on: \(log)")
        for secret in [Self.password, ingest, read, typo, String(ingest.dropFirst(4).prefix(16))] {
            #expect(!log.contains(secret), "the log shows a secret: \(secret)")
        }
    }

    /// A refused HL7 message's answer quotes the field in error; the log says
    /// where and what kind only: the field may be a patient's name or id.
    @Test func aRefusedHL7MessageLeavesItsFieldOutOfTheLog() throws {
        let database = try TestDatabase.create()
        let directory = try Self.directory()
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        let server = try PhysioProcess(["serve", "--port", "0", "--hl7-port", "0", "--workers", "0"],
                                       environment: ["PHYSIO_DATABASE_URL": database.url], logPath: "\(directory)/serve.log")
        let listening = try #require(server.waitForLog("listening for HL7"), "\(server.log)")
        let client = try MLLPTestClient(port: UInt16(try #require(PhysioProcess.field("port", in: listening))))
        let ack = client.exchange(HL7Messages.oru(id: "pii-1", visit: "DOE JOHN 1961-02-03",
                                                  observations: [HL7Messages.obx(1, HL7Messages.hr, "72", HL7Messages.bpm)]))
        #expect(ack?.acknowledgement?.code == "AE" && ack?.errors.first?.text.contains("DOE JOHN") == true, "the sender is told")
        #expect(server.terminate() == 0)
        #expect(server.log.contains("HL7 message refused") && server.log.contains("PV1^1^19"), "\(server.log)")
        #expect(!server.log.contains("DOE JOHN"), "\(server.log)")
    }

    /// libpq quotes a malformed URL, password and all; the server refuses it
    /// at start and says why without it.
    @Test func malformedDatabaseURLIsRefusedWithoutShowingThePassword() throws {
        let database = try TestDatabase.create()
        let directory = try Self.directory()
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        for (password, libpqSays) in [("s3cr%ZZet", "percent-encoded"), ("s3cret-v6", "IPv6")] {
            var url = Self.urlWithPassword(database, password: password)
            if libpqSays == "IPv6" { url = url.replacing("@127.0.0.1:", with: "@[::1") }
            let server = try PhysioProcess(["serve", "--port", "0"], environment: ["PHYSIO_DATABASE_URL": url],
                                           logPath: "\(directory)/\(libpqSays).log")
            // Bounded: a server that started anyway is stopped (and exits 0).
            _ = server.waitForLog("is not valid", seconds: 10)
            #expect(server.terminate() != 0)
            #expect(server.log.contains(libpqSays), "\(server.log)")
            #expect(!server.log.contains("s3cr"), "\(server.log)")
        }
    }

    /// `token list` shows ids, names and scopes, never a token or its hash;
    /// `token revoke` by name or id, and the server stops accepting it.
    @Test func tokenCommandsListAndRevokeWithoutSecrets() throws {
        let server = try TestServer { $0.tokenCacheSeconds = 0 }
        let directory = try Self.directory()
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        var runs = 0
        func physio(_ arguments: [String]) throws -> (status: Int32, output: String) {
            runs += 1
            let process = try PhysioProcess(["token"] + arguments, environment: ["PHYSIO_DATABASE_URL": server.database.url],
                                            logPath: "\(directory)/token-\(runs).log")
            let status = process.waitForExit()
            return (status, process.log)
        }

        let created = try physio(["create", "--scope", "ingest", "read", "--name", "or-9"])
        #expect(created.status == 0)
        let token = created.output.filter { !$0.isWhitespace }
        #expect(token.hasPrefix("phy_") && token.count == 47, "\(created.output)")
        let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
        let body = Array(#"{"samples":[{"t":1795600000,"hr":70}]}"#.utf8)
        #expect(try server.client().send("POST", "/cases/cli/vitals", headers: headers, body: body).status == 200)

        let listed = try physio(["list"])
        #expect(listed.status == 0)
        let row = listed.output.split(separator: "\n").first { $0.contains("\tor-9\t") }
        #expect(row?.contains("ingest,read") == true, "\(listed.output)")
        #expect(row?.split(separator: "\t", omittingEmptySubsequences: false).suffix(3) == ["-", "-", "all"], "not revoked, no expiry, every case: \(listed.output)")
        let hash = try #require(try server.database.scalar("SELECT encode(token_hash, 'hex') FROM api_tokens WHERE name = 'or-9'"))
        for secret in [token, hash] + server.tokens.values { #expect(!listed.output.contains(secret)) }

        let revoked = try physio(["revoke", "or-9"])
        #expect(revoked.status == 0)
        #expect(revoked.output == "revoked 1 token\n")
        #expect(try server.client().send("POST", "/cases/cli/vitals", headers: headers, body: body).status == 401)
        let after = try physio(["list"]).output.split(separator: "\n").first { $0.contains("\tor-9\t") }
        #expect(after?.split(separator: "\t", omittingEmptySubsequences: false).dropLast(2).last != "-", "revoked shows its time: \(after ?? "")")
        #expect(try physio(["revoke", "or-9"]).status != 0, "revoking twice is an error")
        let id = try #require(try server.database.scalar("SELECT id FROM api_tokens WHERE name = 'test-read'"))
        // A name that is another token's id, a second token of one name, a name with a line break: refused at creation.
        #expect(try physio(["create", "--scope", "read", "--name", id]).status != 0)
        #expect(try physio(["create", "--scope", "read", "--name", "test-read"]).status != 0)
        #expect(try physio(["create", "--scope", "read", "--name", "or-9\nx"]).status != 0)
        // One made before these checks (straight into the table): revoke refuses to guess.
        _ = try server.database.connect().execute("INSERT INTO api_tokens (name, token_hash, scopes) VALUES ('\(id)', decode(repeat('ab', 32), 'hex'), '{read}')")
        let ambiguous = try physio(["revoke", id])
        #expect(ambiguous.status != 0 && ambiguous.output.contains("nothing revoked"), "\(ambiguous.output)")
        #expect(try server.client().get("/cases", headers: [server.bearer("read")]).status == 200)
        _ = try server.database.connect().execute("DELETE FROM api_tokens WHERE name = '\(id)'")
        #expect(try physio(["revoke", id]).status == 0)
        #expect(try server.client().get("/cases", headers: [server.bearer("read")]).status == 401)
    }
}
