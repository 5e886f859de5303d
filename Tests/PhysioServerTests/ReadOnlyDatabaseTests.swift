import PhysioClient
import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ReadOnlyDatabaseTests {
    /// A database that takes no writes (a standby, or a primary demoted in a
    /// failover) makes ingest 503 with Retry-After, so monitors retry; once
    /// writes are possible again the same server stores the retry.
    @Test func ingestIntoAReadOnlyDatabaseIs503UntilItTakesWritesAgain() throws {
        let server = try TestServer()
        let client = server.client()
        let admin = try server.database.connect()
        #expect(try server.ingest("ro", json: #"{"samples":[{"t":1795600000,"hr":70}]}"#, client: client).status == 200)

        try admin.execute("ALTER DATABASE \(server.database.name) SET default_transaction_read_only = on")
        try reconnectEveryone(admin)
        let sample = #"{"samples":[{"t":1795600001,"hr":71}]}"#
        for _ in 0..<3 {
            let refused = try server.ingest("ro", json: sample, client: client)
            #expect(refused.status == 503, "\(refused.text)")
            #expect(refused.header("Retry-After") != nil)
        }
        // Reads still work on a read-only database.
        let read = try client.get("/cases", headers: [server.bearer("read")])
        #expect(read.status == 200, "\(read.text)")

        try admin.execute("ALTER DATABASE \(server.database.name) RESET default_transaction_read_only")
        try reconnectEveryone(admin)
        var status = 0
        for _ in 0..<5 where status != 200 {  // the first may still meet a connection closed by the switch
            status = try server.ingest("ro", json: sample, client: client).status
        }
        #expect(status == 200)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'ro'") == 2)
    }

    /// Session settings change only for new connections: end the server's (as a failover does).
    private func reconnectEveryone(_ admin: DatabaseConnection) throws {
        try admin.execute("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
            """)
    }
}
