import PhysioStore
#if canImport(Glibc)
import Glibc
#endif

/// TimescaleDB for tests: whether this machine's PostgreSQL has it, and a
/// private server that preloads it (the shared test server does not).
///
/// PHYSIO_TEST_TIMESCALEDB: unset = run when installed, skip otherwise;
/// `0` = skip; `1` = run, so a missing TimescaleDB fails instead of skipping.
public enum Timescale {
    /// Background jobs off: tests decide when buckets are materialised
    /// (CALL refresh_continuous_aggregate), never a policy racing them.
    public static let settings = [
        "shared_preload_libraries=timescaledb",
        "timescaledb.telemetry_level=off",
        "timescaledb.max_background_workers=0",
    ]

    static let mode: String? = getenv("PHYSIO_TEST_TIMESCALEDB").map { String(cString: $0) }

    /// The extension is installed for the PostgreSQL the tests use (asked of
    /// the shared test server, which runs the same binaries as PrivatePostgres).
    public static let isInstalled: Bool = {
        guard let url = TestDatabase.adminURL,
              let connection = try? DatabaseConnection(url: url, applicationName: "physio-test"),
              let result = try? connection.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
        else { return false }
        return result.rowCount == 1
    }()

    public static var isEnabled: Bool { mode == "1" || (mode != "0" && isInstalled) }

    public static let skipMessage = mode == "0"
        ? "PHYSIO_TEST_TIMESCALEDB=0"
        : "TimescaleDB is not installed for this PostgreSQL (or PHYSIO_TEST_DATABASE_URL is unset): see docs/timescaledb.md"

    /// Runs `body` on a migrated database of a private PostgreSQL that
    /// preloads TimescaleDB; the server is stopped and removed afterwards.
    public static func withDatabase<T>(_ body: (TestDatabase) throws -> T) throws -> T {
        let server = try PrivatePostgres(settings: settings)
        return try withExtendedLifetime(server) { try body(TestDatabase.existing(url: server.url)) }
    }
}
