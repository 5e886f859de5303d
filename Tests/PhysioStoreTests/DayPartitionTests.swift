import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing
import PhysioPlatform

/// 009_day_partitions.sql and DayPartitions on plain PostgreSQL.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct DayPartitionTests {
    /// Partitions of `table` and the rows each holds, by name.
    func rowsByPartition(_ database: TestDatabase, _ table: String) throws -> [String: Int] {
        let connection = try database.connect()
        let names = try connection.query("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = $1::regclass", [table])
            .rows.map { try $0.decode(0, as: String.self) }
        let counts = try connection.query("SELECT tableoid::regclass::text, count(*) FROM \(table) GROUP BY 1").decode((String, Int).self)
        var rows = Dictionary(uniqueKeysWithValues: names.map { ($0, 0) })
        for (name, count) in counts { rows[name] = count }
        return rows
    }

    func utcDay(_ offset: Int, _ database: TestDatabase) throws -> String {
        try database.scalar("SELECT to_char((now() AT TIME ZONE 'UTC')::date + $1::int, 'YYYYMMDD')", ["\(offset)"])!
    }

    @Test func aNewDatabaseHasADayPartitionForTodayAndTheNextSevenDays() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        #expect(try DayPartitions.arePartitioned(on: connection))
        for table in DayPartitions.tables {
            var expected = Set(try (0...7).map { "\(table)_\(try utcDay($0, database))" })
            expected.insert("\(table)_default")   // nothing stored before: no _before
            #expect(Set(try rowsByPartition(database, table).keys).isSuperset(of: expected), "\(table)")
            #expect(try rowsByPartition(database, table)["\(table)_before"] == nil)
        }
        #expect(try DayPartitions().extend(on: connection) == 0, "already seven days ahead")
        try connection.execute("INSERT INTO vitals (case_id, ts, hr) VALUES ('a', now(), 70)")
        #expect(try rowsByPartition(database, "vitals")["vitals_\(try utcDay(0, database))"] == 1)
    }

    @Test func aSampleNoDayCoversWaitsInTheDefaultAndMovesIntoItsDayLater() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try connection.execute("INSERT INTO vitals (case_id, ts, hr) VALUES ('a', now() + interval '20 days', 70)")
        #expect(try rowsByPartition(database, "vitals")["vitals_default"] == 1)

        var ahead = DayPartitions()
        ahead.daysAhead = 21
        #expect(try ahead.extend(on: connection) == 28, "days 8 to 21 of each table")
        let partitions = try rowsByPartition(database, "vitals")
        #expect(partitions["vitals_default"] == 0)
        #expect(partitions["vitals_\(try utcDay(20, database))"] == 1)
        #expect(try database.count("SELECT count(*) FROM vitals WHERE case_id = 'a'") == 1)
    }

    @Test func upgradingKeepsTheStoredRowsInAPartitionBeforeTheFirstDay() throws {
        let database = try TestDatabase.createEmpty()
        let connection = try database.connect()
        try Migrator(migrations: Migration.all.filter { $0.version < 9 }).migrate(connection)
        try connection.execute("""
            INSERT INTO models (name, threshold, feature_names, body) VALUES ('upgrade test', 0.5, '{}', '\\x00');
            INSERT INTO vitals (case_id, ts, hr) SELECT 'a', now() - make_interval(days => d), 70 FROM generate_series(0, 40) d;
            INSERT INTO vitals (case_id, ts, hr) VALUES ('a', now() + interval '2 days', 71);
            INSERT INTO anomaly_scores (case_id, ts, score, anomalous, model_id, ingested_at, scored_at)
            SELECT case_id, ts, 0.1, false, (SELECT id FROM models), ts, ts FROM vitals;
            """)
        try Migrator().migrate(connection)

        #expect(try database.count("SELECT count(*) FROM vitals") == 42)
        #expect(try rowsByPartition(database, "vitals")["vitals_before"] == 42)
        #expect(try rowsByPartition(database, "anomaly_scores")["anomaly_scores_before"] == 42)
        // The first day partition starts after the newest stored row.
        #expect(try rowsByPartition(database, "vitals")["vitals_\(try utcDay(2, database))"] == nil)
        try connection.execute("INSERT INTO vitals (case_id, ts, hr) VALUES ('a', now() + interval '4 days', 72)")
        #expect(try rowsByPartition(database, "vitals")["vitals_\(try utcDay(4, database))"] == 1)
        // Scores still refer to models.
        #expect(throws: DatabaseError.self) {
            try connection.execute("INSERT INTO anomaly_scores (case_id, ts, score, anomalous, model_id, ingested_at, scored_at) VALUES ('a', now(), 0, false, 999, now(), now())")
        }
    }
}
