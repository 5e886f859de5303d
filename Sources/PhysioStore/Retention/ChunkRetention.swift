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
/// while the raw rows are still there, and the chunks are then dropped with
/// `timescaledb.skip_cagg_invalidation` (TimescaleDB 2.28), which leaves
/// the buckets as they are (docs/retention.md, "TimescaleDB").
struct ChunkRetention {
    /// Microseconds since the epoch; nil keeps that kind of data.
    let raw: Int64?
    let aggregates: Int64?

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
            // Minutes first: the hours are built from them.
            for view in ["vitals_1m", "vitals_1h"] {
                try connection.query("CALL refresh_continuous_aggregate($1::regclass, NULL, $2::timestamptz)",
                                     [view, SQLTime(end)])
            }
        }
        var removed = Retention.Removed()
        if let raw {
            removed.vitals = try drop("vitals", before: raw, on: connection)
            removed.scores = try drop("anomaly_scores", before: raw, on: connection)
        }
        if let aggregates {
            removed.minutes = try drop("vitals_1m", before: aggregates, on: connection)
            removed.hours = try drop("vitals_1h", before: aggregates, on: connection)
        }
        return removed
    }

    /// Drops the chunks of `relation` that end by `cutoff`; returns the rows
    /// they held.
    private func drop(_ relation: String, before cutoff: Int64, on connection: DatabaseConnection) throws -> Int {
        try connection.transaction {
            try connection.execute("SET LOCAL timescaledb.skip_cagg_invalidation = on")
            let chunks = try connection.query("SELECT show_chunks($1::regclass, older_than => $2::timestamptz)::text",
                                              [relation, SQLTime(cutoff)]).decode((String).self)
            guard !chunks.isEmpty else { return 0 }
            // Writers to these chunks wait from here, so the count is what the drop removes.
            try connection.execute("LOCK TABLE \(chunks.joined(separator: ", ")) IN EXCLUSIVE MODE")
            let rows = try connection.query(
                "SELECT " + chunks.map { "(SELECT count(*) FROM \($0))" }.joined(separator: " + ")).scalar(Int.self)
            try connection.query("SELECT drop_chunks($1::regclass, older_than => $2::timestamptz)", [relation, SQLTime(cutoff)])
            return rows
        }
    }
}
