import PhysioCore
import PhysioPlatform

/// Applies db/migrations in order, each in its own transaction, recorded in
/// `schema_migrations`. A session advisory lock makes concurrent runs
/// (several nodes starting at once) take turns; the later ones find nothing to do.
public struct Migrator {
    /// pg_advisory_lock key: "physio" in ASCII.
    static let lockKey = "123594016516463"

    public let migrations: [Migration]

    public init(migrations: [Migration] = Migration.all) { self.migrations = migrations }

    /// The version this release's migrations end at.
    var latest: Int { migrations.last?.version ?? 0 }

    public struct Status: Sendable {
        public let applied: Int
        public let latest: Int
        public var isCurrent: Bool { applied == latest }
        /// Migrated by a later release: this one must not run on it.
        public var isNewer: Bool { applied > latest }

        /// Why this release cannot run on the schema, or nil when it can.
        public var problem: String? {
            if isNewer {
                return "database schema is at version \(applied), newer than this release's \(latest): "
                    + "a later release migrated it; run that release (downgrading is not supported)"
            }
            return isCurrent ? nil : "database schema is at version \(applied) but this release needs \(latest); run physio migrate"
        }
    }

    /// Applies what is missing; returns the migrations it ran.
    @discardableResult
    public func migrate(_ connection: DatabaseConnection) throws -> [Migration] {
        try connection.query("SELECT pg_advisory_lock($1::bigint)", [Self.lockKey])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1::bigint)", [Self.lockKey]) }
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """)
        let rows = try connection.query("SELECT version, checksum FROM schema_migrations")
        var applied: [Int: String] = [:]
        for (version, checksum) in try rows.decode((Int, String).self) { applied[version] = checksum }

        if let newest = applied.keys.max(), newest > latest {
            throw DatabaseError(message: Status(applied: newest, latest: latest).problem!)
        }
        var ran: [Migration] = []
        for migration in migrations {
            if let checksum = applied[migration.version] {
                guard checksum == migration.checksum else {
                    throw DatabaseError(message: "migration \(migration.name) was changed after it was applied")
                }
                continue
            }
            try connection.transaction {
                try connection.execute(migration.sql)
                try connection.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                                     [migration.version, migration.name, migration.checksum])
            }
            Log.info("migration applied", ["version": .int(migration.version), "name": .string(migration.name)])
            ran.append(migration)
        }
        return ran
    }

    public func status(_ connection: DatabaseConnection) throws -> Status {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard try exists.scalar(Bool.self) else { return Status(applied: 0, latest: latest) }
        let result = try connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations")
        return Status(applied: try result.scalar(Int.self), latest: latest)
    }
}
