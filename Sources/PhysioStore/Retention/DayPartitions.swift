import PhysioPlatform

/// The day partitions of the raw tables on plain PostgreSQL
/// (009_day_partitions.sql): created ahead so live samples land in a day of
/// their own, and dropped whole once the day is past retention. TimescaleDB's
/// hypertables are not partitioned this way, and nothing here touches them.
public struct DayPartitions: Sendable {
    public static let tables = ["vitals", "anomaly_scores"]
    /// Days created ahead of today (UTC); the workers extend them every hour.
    public var daysAhead = 7
    /// Dropping a partition locks its parent (ACCESS EXCLUSIVE), and ingest
    /// queues behind a lock that is waited for: each try waits for the
    /// parent this long at first, then lets ingest through and tries again.
    public var lockTimeoutMillis = 50
    /// How long a try waits for the old partition itself (see `drop`).
    public var partitionWaitMillis = 2_000
    public var attempts = 40

    public init() {}

    /// Whether the raw tables are partitioned by day (plain PostgreSQL).
    public static func arePartitioned(on connection: DatabaseConnection) throws -> Bool {
        try connection.query("SELECT coalesce((SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass('vitals')), false)")
            .scalar(Bool.self)
    }

    /// Creates the missing day partitions up to `daysAhead` days from now; returns how many.
    @discardableResult
    public func extend(on connection: DatabaseConnection) throws -> Int {
        guard try Self.arePartitioned(on: connection) else { return 0 }
        var added = 0
        for table in Self.tables {
            added += try connection.query("SELECT physio_extend_day_partitions($1, $2)", [table, daysAhead]).scalar(Int.self)
        }
        return added
    }

    /// Day partitions of `table` whose whole day is before `cutoff`, oldest first.
    public func expired(_ table: String, before cutoff: Int64, on connection: DatabaseConnection) throws -> [String] {
        try connection.query("""
            SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = $1::regclass AND c.relname ~ ('^' || $1 || '_[0-9]{8}$')
              AND (to_date(right(c.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= $2::timestamptz
            ORDER BY 1
            """, [table, SQLTime(cutoff)]).rows.map { try $0.decode(0, as: String.self) }
    }

    /// The partitions retention deletes from row by row: the default one and
    /// the rows stored before the tables were partitioned.
    public func rowByRow(_ table: String, on connection: DatabaseConnection) throws -> [String] {
        try connection.query("""
            SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = $1::regclass AND c.relname IN ($1 || '_before', $1 || '_default')
            ORDER BY 1
            """, [table]).rows.map { try $0.decode(0, as: String.self) }
    }

    /// Drops one day partition (a name `expired` returned) in two
    /// transactions, so that ingest never waits behind a lock that is itself
    /// waiting, nor behind the removal of the day's files:
    /// 1. the day's own lock, waiting up to `partitionWaitMillis` (ingest
    ///    writes today's partition and never waits here; longer than
    ///    PostgreSQL's deadlock_timeout, 1 s, on purpose: an autovacuum of
    ///    the old day, which holds it for minutes after a bulk load, is then
    ///    cancelled for us), and TRUNCATE: the day's gigabytes are unlinked
    ///    at this commit, under the day's lock alone;
    /// 2. DROP TABLE of the now empty day, which takes the parent's lock that
    ///    every insert also takes: each try waits a little longer, up to
    ///    `lockTimeoutMillis` × 8, with a pause between tries in which
    ///    ingest runs.
    public func drop(_ partition: String, on connection: DatabaseConnection) throws {
        precondition(partition.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, "not a partition name: \(partition)")
        let retries = LockRetries(attempts: attempts)
        try retries.run("dropping \(partition)") { _ in
            try connection.transaction {
                try connection.execute("SET LOCAL lock_timeout = '\(partitionWaitMillis)ms'")
                try connection.execute("TRUNCATE \"\(partition)\"")
            }
        }
        try retries.run("dropping \(partition)") { attempt in
            try connection.transaction {
                try connection.execute("SET LOCAL lock_timeout = '\(partitionWaitMillis)ms'")
                try connection.execute("LOCK TABLE \"\(partition)\" IN ACCESS EXCLUSIVE MODE")
                try connection.execute("SET LOCAL lock_timeout = '\(lockTimeoutMillis << min(attempt, 3))ms'")
                try connection.execute("DROP TABLE \"\(partition)\"")
            }
        }
    }
}
