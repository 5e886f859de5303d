import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing
import PhysioPlatform

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ConnectionPoolTests {
    /// A pooled connection whose session the server ended while it sat idle
    /// (a restart, a failover, pg_terminate_backend) is replaced, not handed
    /// to the next request to fail on.
    @Test func aConnectionEndedByTheServerWhileIdleIsReplaced() throws {
        let database = try TestDatabase.create()
        let pool = ConnectionPool(url: database.url, maxConnections: 1, applicationName: "pool-test")
        let first = try pool.withConnection { try $0.query("SELECT pg_backend_pid()").int(0, 0)! }
        let admin = try database.connect()
        #expect(try admin.query("SELECT pg_terminate_backend($1::int)", [String(first)]).string(0, 0) == "t")
        #expect(try waitUntil(seconds: 5) {
            try admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int", [String(first)]).int(0, 0) == 0
        })
        Clock.sleep(seconds: 0.2)  // the backend leaves pg_stat_activity just before its socket closes
        let second = try pool.withConnection { try $0.query("SELECT pg_backend_pid()").int(0, 0)! }
        #expect(second != first)
        #expect(pool.openConnections == 1)
    }
}
