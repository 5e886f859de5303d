import PhysioClient
import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

/// A token made with `--expires-in` stops working at its time, even while
/// the server holds its grant in the cache.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct TokenExpiryTests {
    static func token(_ arguments: [String], _ server: TestServer) throws -> (status: Int32, output: String) {
        let log = String(try Shell.output("mktemp /tmp/physio-token.XXXXXX").filter { $0 != "\n" })
        defer { _ = try? Shell.run("rm -f '\(log)'") }
        let process = try PhysioProcess(["token"] + arguments, environment: ["PHYSIO_DATABASE_URL": server.database.url], logPath: log)
        let status = process.waitForExit()
        return (status, process.log)
    }

    /// `--scope read,review` as the help offers it, and `--scope read review`, make the same token.
    @Test func scopesJoinedWithCommasAreSeveralScopes() throws {
        let server = try TestServer()
        let created = try Self.token(["create", "--scope", "read,review", "export", "--name", "charge-nurse"], server)
        #expect(created.status == 0, "\(created.output)")
        #expect(try server.database.scalar("SELECT array_to_string(scopes, ',') FROM api_tokens WHERE name = 'charge-nurse'") == "export,read,review")
        let bad = try Self.token(["create", "--scope", "read,reviews", "--name", "typo"], server)
        #expect(bad.status != 0 && bad.output.contains("unknown scope reviews"), "\(bad.output)")
        #expect(try Self.token(["create", "--scope", ",", "--name", "none"], server).status != 0)
    }

    @Test func anExpiredTokenIsRefusedThoughItsGrantIsCached() throws {
        // Grants cached for 30 s: without the expiry bound the token would outlive its 6 s.
        let server = try TestServer { $0.tokenCacheSeconds = 30 }
        let created = try Self.token(["create", "--scope", "read", "--name", "locum", "--expires-in", "6 seconds"], server)
        #expect(created.status == 0, "\(created.output)")
        let bearer = ("Authorization", "Bearer \(created.output.filter { !$0.isWhitespace })")
        #expect(try server.client().get("/cases", headers: [bearer]).status == 200)

        let row = try Self.token(["list"], server).output.split(separator: "\n").first { $0.contains("\tlocum\t") }
        let fields = row?.split(separator: "\t", omittingEmptySubsequences: false) ?? []
        #expect(fields.count == 7 && fields[4] == "-" && fields[5] != "-" && fields[6] == "all", "revoked -, expires at a time, every case: \(row ?? "")")

        try #require(waitUntil(seconds: 15, every: 0.05) {
            try server.database.scalar("SELECT (expires_at <= now())::text FROM api_tokens WHERE name = 'locum'") == "true"
        })
        let refused = try server.client().get("/cases", headers: [bearer])
        #expect(refused.status == 401)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("expired"))
        // A token without --expires-in keeps working.
        #expect(try server.client().get("/cases", headers: [server.bearer("read")]).status == 200)
        // The list says it expired, and its name is free again.
        let expired = try Self.token(["list"], server).output.split(separator: "\n").first { $0.contains("\tlocum\t") }
        #expect(expired?.hasSuffix("(expired)\tall") == true, "\(expired ?? "")")
        let again = try Self.token(["create", "--scope", "read", "--name", "locum"], server)
        #expect(again.status == 0, "\(again.output)")
    }

    /// A lifetime of centuries is a lifetime like any other (its seconds left
    /// once overflowed the cache's nanoseconds and stopped the server).
    @Test func aTokenMadeToLastCenturiesWorks() throws {
        let server = try TestServer()
        for (name, interval) in [("archive", "1000 years"), ("forever-ish", "99999999 days")] {
            let token = try TokenStore().create(name: name, scopes: ["read"], expiresIn: interval, on: server.database.connect()).token
            for _ in 0..<2 { #expect(try server.client().get("/cases", headers: [("Authorization", "Bearer \(token)")]).status == 200) }
        }
    }

    @Test(arguments: ["soon", "-1 day", "0 seconds", "1 fortnight", "0.5 seconds", "1000000 years"])
    func aLifetimeThatIsNotAPositiveIntervalIsRefused(interval: String) throws {
        let server = try TestServer()
        let created = try Self.token(["create", "--scope", "read", "--name", "bad-expiry", "--expires-in=\(interval)"], server)
        #expect(created.status != 0)
        #expect(created.output.contains("--expires-in takes a positive PostgreSQL interval"), "\(created.output)")
        #expect(try server.database.count("SELECT count(*) FROM api_tokens WHERE name = 'bad-expiry'") == 0)
    }
}
