import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing

/// The TimescaleDB path of the migrations, on a private PostgreSQL that
/// preloads the extension. Runs when TimescaleDB is installed (see
/// docs/timescaledb.md); skipped otherwise.
@Suite(.enabled(if: Timescale.isEnabled, "\(Timescale.skipMessage)"))
struct TimescaleTests {
    @Test func vitalsAndScoresAreHypertablesAndTheAggregatesContinuous() throws {
        try Timescale.withDatabase { database in
            #expect(try database.scalar("""
                SELECT string_agg(hypertable_name::text, ',' ORDER BY hypertable_name)
                FROM timescaledb_information.hypertables WHERE hypertable_schema = current_schema()
                """) == "anomaly_scores,vitals")

            let aggregates = try database.connect().query("""
                SELECT view_name::text, materialized_only, hypertable_name::text, materialization_hypertable_name::text
                FROM timescaledb_information.continuous_aggregates WHERE view_schema = current_schema()
                ORDER BY view_name
                """)
            try #require(aggregates.rowCount == 2)
            #expect(aggregates.string(0, 0) == "vitals_1h" && aggregates.string(1, 0) == "vitals_1m")
            // Real-time aggregation on for both.
            #expect(aggregates.bool(0, 1) == false && aggregates.bool(1, 1) == false)
            // The minutes come from vitals; the hours from the minutes' materialisation (hierarchical).
            #expect(aggregates.string(1, 2) == "vitals")
            #expect(aggregates.string(0, 2) == aggregates.string(1, 3))

            let policies = try database.connect().query("""
                SELECT hypertable_name::text, config->>'start_offset', config->>'end_offset', schedule_interval::text
                FROM timescaledb_information.jobs
                WHERE proc_name = 'policy_refresh_continuous_aggregate' ORDER BY hypertable_name
                """)
            try #require(policies.rowCount == 2)
            #expect(policies.string(0, 0) == "vitals_1h" && policies.string(1, 0) == "vitals_1m")
            // No start offset: old buckets that change are refreshed too.
            #expect(policies.isNull(0, 1) && policies.isNull(1, 1))
            #expect(policies.string(0, 2) == "01:00:00" && policies.string(1, 2) == "00:01:00")
            #expect(policies.string(0, 3) == "00:05:00" && policies.string(1, 3) == "00:01:00")

            // The workers leave them alone.
            #expect(try AggregateMode.detect(on: database.connect()) == .continuousAggregates)
        }
    }

    /// The API reads the same names and types whichever path the migrations took.
    @Test(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
    func columnsAreTheSameAsOnPlainPostgreSQL() throws {
        let columns = """
            SELECT string_agg(table_name || '.' || column_name || ' ' || data_type, E'\\n'
                              ORDER BY table_name, ordinal_position)
            FROM information_schema.columns
            WHERE table_schema = current_schema()
              AND table_name IN ('vitals', 'anomaly_scores', 'vitals_1m', 'vitals_1h')
            """
        let plain = try TestDatabase.create()
        // The shared server has TimescaleDB installed but not preloaded: plain tables.
        #expect(try AggregateMode.detect(on: plain.connect()) == .tables)
        let expected = try #require(try plain.scalar(columns))
        #expect(expected.split(separator: "\n").count == 10 + 9 + 2 * 35)
        try Timescale.withDatabase { database throws in
            #expect(try database.scalar(columns) == expected)
        }
    }

    @Test func bucketsEqualAGroupByOverTheRawRowsBeforeAndAfterRefreshes() throws {
        try Timescale.withDatabase { database in
            // 2024-01-01 00:00:30 UTC: buckets start mid-way. "a" runs to 01:10:29,
            // "b" (sparse) from 00:58:50 to 01:13:49: 71 + 16 minutes, 2 + 2 hours.
            let start: Int64 = 1_704_067_230
            let hour = start - 30 + 3_600
            try database.ingest([TestModels.calmCase("a", start: start, seconds: 4_200),
                                 sparseCase("b", start: start + 3_500, seconds: 900)])
            try expectBucketsMatchRaw(database, "right after ingest")
            // Nothing materialised yet: real-time aggregation answered all of it.
            #expect(try materialised(database, "vitals_1m") == 0)
            #expect(try materialised(database, "vitals_1h") == 0)

            // As a policy would at 01:00: buckets before it materialised, the
            // rest still read in real time, and the union is exact.
            try refresh(database, before: hour)
            try expectBucketsMatchRaw(database, "after refreshing up to 01:00")
            #expect(try materialised(database, "vitals_1m") == 60 + 2)
            #expect(try materialised(database, "vitals_1h") == 1 + 1)

            // A late sample in a materialised minute (and hour): real-time
            // aggregation reads raw rows only above the watermark, so those
            // buckets are stale until the next refresh.
            var late = SampleBatch(caseID: "a")
            let row = late.appendRow(timestamp: (start + 600) * 1_000_000 + 500_000)
            late.set(.hr, row: row, to: 200)
            late.set(.rr, row: row, to: 14)
            #expect(try database.ingest([late]) == [IngestCounts(accepted: 1, duplicates: 0)])
            // A retry takes the slow path (the COPY into the hypertable hits the key).
            #expect(try database.ingest([late]) == [IngestCounts(accepted: 0, duplicates: 1)])
            #expect(try mismatches(database, .minute) == 1)
            #expect(try mismatches(database, .hour) == 1)

            try refresh(database, before: nil)
            try expectBucketsMatchRaw(database, "after the late sample and a full refresh")
            #expect(try materialised(database, "vitals_1m") == 71 + 16)
            #expect(try materialised(database, "vitals_1h") == 2 + 2)
            #expect(try database.scalar("SELECT hr_max FROM vitals_1m WHERE case_id = 'a' AND bucket = to_timestamp(\(start + 570))") == "200")
        }
    }

    // MARK: - helpers

    /// HR missing every 7th second, RR every other second: the counts differ per vital.
    func sparseCase(_ caseID: String, start: Int64, seconds: Int) -> SampleBatch {
        let calm = TestModels.calmCase(caseID, start: start, seconds: seconds, seed: 9)
        var batch = SampleBatch(caseID: caseID, reservingCapacity: seconds)
        for second in 0..<seconds {
            let row = batch.appendRow(timestamp: calm.timestamps[second])
            for vital in Vital.allCases where !(vital == .hr && second % 7 == 0) {
                if let value = calm.value(vital, row: second) { batch.set(vital, row: row, to: value) }
            }
            if second % 2 == 0 { batch.set(.rr, row: row, to: 12 + Float(second % 5)) }
        }
        return batch
    }

    /// Refreshes both aggregates for buckets ending by `end` (epoch seconds;
    /// nil = all). Minutes first: the hours are built from them.
    func refresh(_ database: TestDatabase, before end: Int64?) throws {
        let connection = try database.connect()
        let windowEnd = end.map { "to_timestamp(\($0))" } ?? "NULL"
        for view in ["vitals_1m", "vitals_1h"] {
            try connection.execute("CALL refresh_continuous_aggregate('\(view)', NULL, \(windowEnd))")
        }
    }

    /// Rows in the aggregate's materialisation hypertable (what a refresh wrote).
    func materialised(_ database: TestDatabase, _ view: String) throws -> Int {
        let table = try #require(try database.scalar("""
            SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)
            FROM timescaledb_information.continuous_aggregates WHERE view_name = $1
            """, [view]))
        return try database.count("SELECT count(*) FROM \(table)")
    }

    func expectBucketsMatchRaw(_ database: TestDatabase, _ when: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        for resolution in AggregateSQL.Resolution.allCases {
            #expect(try mismatches(database, resolution) == 0, "\(resolution.table) \(when)", sourceLocation: sourceLocation)
        }
        // And the comparison is not vacuous.
        #expect(try database.count("SELECT count(*) FROM vitals_1m") > 0, sourceLocation: sourceLocation)
    }

    /// Buckets where the aggregate differs from a GROUP BY over the raw rows
    /// in any column (sums within rounding), or exists on one side only.
    func mismatches(_ database: TestDatabase, _ resolution: AggregateSQL.Resolution) throws -> Int {
        let differs = AggregateSQL.columns.map { column in
            column.hasSuffix("_sum")
                ? "abs(a.\(column) - raw.\(column)) > 1e-9 * greatest(1, abs(raw.\(column)))"
                    + " OR (a.\(column) IS NULL) <> (raw.\(column) IS NULL)"
                : "a.\(column) IS DISTINCT FROM raw.\(column)"
        }.joined(separator: "\n OR ")
        return try database.count("""
            WITH raw AS (
                SELECT case_id, date_trunc('\(resolution.rawValue)', ts) AS bucket, \(AggregateSQL.fromRaw)
                FROM vitals GROUP BY 1, 2)
            SELECT count(*) FROM raw FULL JOIN \(resolution.table) a USING (case_id, bucket)
            WHERE raw.case_id IS NULL OR a.case_id IS NULL OR \(differs)
            """)
    }
}
