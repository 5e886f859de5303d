import PhysioCore
import PhysioPlatform

/// Retention on TimescaleDB: whole chunks past the cutoffs are dropped
/// (`vitals` and `anomaly_scores` by the raw cutoff, the materialisations
/// of `vitals_1m` and `vitals_1h` by the aggregate cutoff), never rows
/// deleted. A chunk goes once all of it is past its cutoff.
///
/// The aggregates must outlive the raw rows. `drop_chunks` marks the dropped
/// range as changed, and the next refresh (physio's policies have no start
/// offset) recomputes those buckets from raw rows that are gone, which
/// empties them. So the aggregates are first refreshed up to the cutoff,
/// while the raw rows are still there, and the chunks are then emptied and
/// dropped with `timescaledb.skip_cagg_invalidation` (TimescaleDB 2.28),
/// which leaves the buckets as they are (docs/retention.md, "TimescaleDB").
struct ChunkRetention {
    /// Microseconds since the epoch; nil keeps that kind of data.
    let raw: Int64?
    let aggregates: Int64?
    /// How long a TRUNCATE waits for its chunk, and `drop_chunks` for its
    /// locks at first (doubled on each retry, up to 8×), before it lets the
    /// others through and tries again.
    var chunkWaitMillis = 2_000
    var dropWaitMillis = 50
    var attempts = 40
    /// Tries of each refresh, a second apart, while a policy refreshes the same aggregate.
    var refreshAttempts = 600

    func purge(on connection: DatabaseConnection) throws -> Retention.Removed {
        // Without the setting the drop would empty buckets: refuse instead.
        let setting = try connection.query("SELECT current_setting('timescaledb.skip_cagg_invalidation', true)")
        guard try setting.scalar(String?.self) != nil else {
            throw DatabaseError(message: """
                retention on TimescaleDB needs TimescaleDB 2.28 or later (timescaledb.skip_cagg_invalidation), \
                or dropping raw chunks would empty the aggregates' buckets: see docs/retention.md
                """)
        }
        if let end = [raw, aggregates].compactMap({ $0 }).max() {
            // Minutes first: the hours are built from them. A refresh policy's
            // run over the same range is waited out (it can take minutes after a backfill).
            let refreshes = LockRetries(attempts: refreshAttempts, pauseSeconds: 1)
            for view in ["vitals_1m", "vitals_1h"] {
                try refreshes.run("refreshing \(view) (its refresh policy was running)") { _ in
                    try connection.query("CALL refresh_continuous_aggregate($1::regclass, NULL, $2::timestamptz)",
                                         [view, SQLTime(end)])
                }
            }
        }
        var removed = Retention.Removed()
        if let raw {
            removed.rawChunks = try drop("vitals", before: raw, on: connection)
                + drop("anomaly_scores", before: raw, on: connection)
        }
        if let aggregates {
            removed.aggregateChunks = try drop("vitals_1m", before: aggregates, on: connection)
                + drop("vitals_1h", before: aggregates, on: connection)
        }
        return removed
    }

    /// Drops the chunks of `relation` that end by `cutoff`; returns how many.
    ///
    /// Rows are not counted: that would read the whole day (20 GB for 1,000
    /// monitors) from the disk the WAL is flushed to. Each chunk is first
    /// emptied with TRUNCATE in a transaction of its own, under the chunk's
    /// lock alone (ingest writes the current chunks), so its gigabytes are
    /// unlinked there; `drop_chunks` then removes empty tables. It locks the
    /// tables the chunks' foreign keys reference (`models`, which every
    /// score written checks) exclusively until it commits, so it waits only
    /// briefly for them and retries.
    private func drop(_ relation: String, before cutoff: Int64, on connection: DatabaseConnection) throws -> Int {
        let chunks = try connection.query("SELECT show_chunks($1::regclass, older_than => $2::timestamptz)::text",
                                          [relation, SQLTime(cutoff)]).decode((String).self)
        guard !chunks.isEmpty else { return 0 }
        let retries = LockRetries(attempts: attempts)
        for chunk in chunks {
            try retries.run("emptying \(chunk)") { _ in
                try connection.transaction {
                    try connection.execute("SET LOCAL timescaledb.skip_cagg_invalidation = on")
                    try connection.execute("SET LOCAL lock_timeout = '\(chunkWaitMillis)ms'")
                    try connection.execute("TRUNCATE \(chunk)")
                }
            }
        }
        var dropped = 0
        try retries.run("dropping the chunks of \(relation)") { attempt in
            try connection.transaction {
                try connection.execute("SET LOCAL timescaledb.skip_cagg_invalidation = on")
                try connection.execute("SET LOCAL lock_timeout = '\(dropWaitMillis << min(attempt, 3))ms'")
                dropped = try connection.query("SELECT count(*) FROM drop_chunks($1::regclass, older_than => $2::timestamptz)",
                                               [relation, SQLTime(cutoff)]).scalar(Int.self)
            }
        }
        return dropped
    }
}
