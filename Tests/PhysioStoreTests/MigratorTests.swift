import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing
import PhysioPlatform

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct MigratorTests {
    @Test func migratingTwiceAppliesEachMigrationOnce() throws {
        let database = try TestDatabase.createEmpty()
        let connection = try database.connect()
        let first = try Migrator().migrate(connection)
        #expect(first.count == Migration.all.count)
        #expect(try Migrator().migrate(connection).isEmpty)
        #expect(try database.count("SELECT count(*) FROM schema_migrations") == Migration.all.count)
        #expect(try Migrator().status(connection).isCurrent)
    }

    @Test func concurrentMigratorsTakeTurns() throws {
        let database = try TestDatabase.createEmpty()
        let done = WaitGroup()
        let errors = Locked<[String]>([])
        for _ in 0..<4 {
            done.add()
            startThread {
                defer { done.done() }
                do { try Migrator().migrate(try database.connect()) } catch {
                    errors.withLock { $0.append(String(describing: error)) }
                }
            }
        }
        #expect(done.wait(seconds: 60))
        #expect(errors.value.isEmpty)
        #expect(try database.count("SELECT count(*) FROM schema_migrations") == Migration.all.count)
    }

    @Test func aChangedMigrationIsRefused() throws {
        let database = try TestDatabase.create()
        try database.connect().execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
        #expect(throws: DatabaseError.self) { try Migrator().migrate(try database.connect()) }
    }

    /// A schema a later release migrated: this one refuses to migrate it
    /// and says why (until 2026-12-06 it called it current and ran on it).
    @Test func aSchemaFromALaterReleaseIsRefused() throws {
        let database = try TestDatabase.create()
        let latest = try #require(Migration.all.last?.version)
        try database.connect().query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, 'later', 'x')", [latest + 1])
        let status = try Migrator().status(database.connect())
        #expect(status.isNewer && !status.isCurrent && status.problem?.contains("newer than this release's") == true, "\(status)")
        #expect(throws: DatabaseError.self) { try Migrator().migrate(try database.connect()) }
    }

    @Test func statusOfAnEmptyDatabaseIsBehind() throws {
        let database = try TestDatabase.createEmpty()
        let status = try Migrator().status(database.connect())
        #expect(status.applied == 0 && !status.isCurrent)
    }
}
