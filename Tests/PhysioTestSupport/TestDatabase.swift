import PhysioCore
import PhysioStore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A fresh, migrated database per test, on the throwaway PostgreSQL that
/// scripts/test starts (PHYSIO_TEST_DATABASE_URL). Cloned from a template
/// migrated once per run, so each costs one CREATE DATABASE.
public final class TestDatabase: @unchecked Sendable {
    public static let adminURL: String? = getenv("PHYSIO_TEST_DATABASE_URL").map { String(cString: $0) }
    /// For `.enabled(if:)`: tests that need PostgreSQL skip with this message otherwise.
    public static var isConfigured: Bool { adminURL != nil }
    public static let skipMessage = "PHYSIO_TEST_DATABASE_URL is not set: run scripts/test, which starts a throwaway PostgreSQL"

    public let name: String
    public let url: String

    private static let lock = Lock()
    nonisolated(unsafe) private static var template: String?
    nonisolated(unsafe) private static var counter = 0

    public static func create() throws -> TestDatabase {
        guard let adminURL else { throw DatabaseError(message: skipMessage) }
        return try lock.withLock {
            let admin = try DatabaseConnection(url: adminURL, applicationName: "physio-test")
            if template == nil {
                let name = "physio_template_\(getpid())"
                try admin.execute("DROP DATABASE IF EXISTS \(name)")
                try admin.execute("CREATE DATABASE \(name)")
                let connection = try DatabaseConnection(url: url(for: name), applicationName: "physio-test")
                try Migrator().migrate(connection)
                template = name
            }
            counter += 1
            let name = "physio_test_\(getpid())_\(counter)"
            try admin.execute("DROP DATABASE IF EXISTS \(name)")
            try admin.execute("CREATE DATABASE \(name) TEMPLATE \(template!)")
            return TestDatabase(name: name, url: url(for: name))
        }
    }

    /// An empty database without migrations (for migration tests).
    public static func createEmpty() throws -> TestDatabase {
        guard let adminURL else { throw DatabaseError(message: skipMessage) }
        return try lock.withLock {
            counter += 1
            let name = "physio_empty_\(getpid())_\(counter)"
            let admin = try DatabaseConnection(url: adminURL, applicationName: "physio-test")
            try admin.execute("DROP DATABASE IF EXISTS \(name)")
            try admin.execute("CREATE DATABASE \(name)")
            return TestDatabase(name: name, url: url(for: name))
        }
    }

    /// A database someone else created (e.g. on a PrivatePostgres), migrated here.
    public static func existing(url: String) throws -> TestDatabase {
        try Migrator().migrate(DatabaseConnection(url: url, applicationName: "physio-test"))
        return TestDatabase(name: String(url.split(separator: "/").last ?? ""), url: url)
    }

    private init(name: String, url: String) {
        self.name = name
        self.url = url
    }

    public func connect() throws -> DatabaseConnection {
        try DatabaseConnection(url: url, applicationName: "physio-test")
    }

    /// One value from a query, for assertions.
    public func scalar(_ sql: String, _ parameters: [String?] = []) throws -> String? {
        try connect().query(sql, parameters).string(0, 0)
    }

    public func count(_ sql: String, _ parameters: [String?] = []) throws -> Int {
        Int(try scalar(sql, parameters) ?? "0") ?? 0
    }

    /// The database URL with another database name.
    static func url(for database: String) -> String {
        let base = adminURL!
        let withoutQuery = base.split(separator: "?", maxSplits: 1)
        let query = withoutQuery.count > 1 ? "?" + withoutQuery[1] : ""
        let path = withoutQuery[0]
        let slash = path.lastIndex(of: "/")!
        return String(path[...slash]) + database + query
    }
}
