import PhysioCore
import PhysioPlatform

/// Removes what is older than the retention periods: raw samples and their
/// scores after `raw`, the minute and hour aggregates after `aggregates`.
/// Plain PostgreSQL: raw rows go by whole UTC days, a day partition whose
/// day is over the period dropped (DayPartitions); what the default partition
/// and the rows stored before partitioning hold is deleted, like the
/// aggregates, in batches of `batchRows` per table and transaction, so ingest
/// (which writes recent rows) never waits behind one long DELETE; old rows
/// are found through the time indexes (008_time_indexes.sql). TimescaleDB:
/// whole chunks (`ChunkRetention`), counted as chunks. Episodes and their reviews are the
/// clinical record and are kept.
public struct Retention: Sendable {
    /// PostgreSQL intervals, e.g. "30 days"; nil keeps everything.
    public var raw: String?
    public var aggregates: String?
    public var batchRows = 10_000

    public init(raw: String?, aggregates: String?) {
        self.raw = raw
        self.aggregates = aggregates
    }

    public struct Removed: Sendable, Equatable {
        public var vitals = 0, scores = 0, minutes = 0, hours = 0
        /// Day partitions dropped whole, of both raw tables; their rows are not counted above.
        public var days = 0
        /// TimescaleDB: chunks dropped whole, of the raw tables and of the
        /// aggregates' materialisations; their rows are not counted either.
        public var rawChunks = 0, aggregateChunks = 0
        public init() {}
    }

    /// The times before which rows are removed (microseconds), or a clear
    /// error for a period PostgreSQL cannot read or that is not positive.
    public func cutoffs(on connection: DatabaseConnection) throws -> (raw: Int64?, aggregates: Int64?) {
        func cutoff(_ period: String?, _ name: String) throws -> Int64? {
            guard let period else { return nil }
            let result: QueryResult
            do {
                result = try connection.query("""
                    SELECT \(SQL.micros("now() - $1::interval")), $1::interval > interval '0'
                    """, [period])
            } catch let error as DatabaseError where !error.isUnavailable {
                throw DatabaseError(message: "\(name) retention '\(period)' is not a PostgreSQL interval (e.g. 30 days)")
            }
            guard case let (time, positive)? = try result.single((Int64, Bool).self) else { return nil }
            guard positive else { throw DatabaseError(message: "\(name) retention '\(period)' must be longer than zero") }
            return time
        }
        return (try cutoff(raw, "raw"), try cutoff(aggregates, "aggregate"))
    }

    /// Removes every row past retention, a batch at a time; returns the
    /// counts. Then, or when it fails part way, tells every API node that
    /// rows are gone (`CaseEvents.Kind.removed`): the answers they keep in
    /// memory were built with them.
    @discardableResult
    public func purge(on connection: DatabaseConnection) throws -> Removed {
        do {
            let removed = try removeExpired(on: connection)
            if removed != Removed() { try CaseEvents.notifyEveryCase(.removed, on: connection) }
            return removed
        } catch {
            try? CaseEvents.notifyEveryCase(.removed, on: connection)
            throw error
        }
    }

    private func removeExpired(on connection: DatabaseConnection) throws -> Removed {
        // Cutoffs fixed once, so every batch of a table removes up to the same time.
        let cutoff = try cutoffs(on: connection)
        if try AggregateMode.detect(on: connection) == .continuousAggregates {
            return try ChunkRetention(raw: cutoff.raw, aggregates: cutoff.aggregates).purge(on: connection)
        }
        var removed = Removed()
        var targets: [(table: String, column: String, before: Int64, count: WritableKeyPath<Removed, Int>)] = []
        if let raw = cutoff.raw {
            for (table, count) in [("vitals", \Removed.vitals), ("anomaly_scores", \Removed.scores)] {
                guard try DayPartitions.arePartitioned(on: connection) else {
                    targets.append((table, "ts", raw, count))
                    continue
                }
                let partitions = DayPartitions()
                try partitions.extend(on: connection)
                for day in try partitions.expired(table, before: raw, on: connection) {
                    try partitions.drop(day, on: connection)
                    removed.days += 1
                }
                // ctid is per partition: delete from each one, never through the parent.
                targets += try partitions.rowByRow(table, on: connection).map { ($0, "ts", raw, count) }
            }
        }
        if let aggregates = cutoff.aggregates {
            targets += [("vitals_1m", "bucket", aggregates, \.minutes), ("vitals_1h", "bucket", aggregates, \.hours)]
        }
        for target in targets {
            // ctid = ANY(ARRAY(…)): a TID scan of the rows the time index found.
            let statement = """
                DELETE FROM \(target.table) WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM \(target.table) WHERE \(target.column) < $1 LIMIT $2))
                """
            while true {
                let deleted = try connection.query(statement, [SQLTime(target.before), batchRows]).affectedRows
                removed[keyPath: target.count] += deleted
                if deleted < batchRows { break }
            }
        }
        return removed
    }
}
