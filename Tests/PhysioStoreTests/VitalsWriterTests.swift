import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing

/// The writer's transaction spans statements sent several at a time; these
/// check that it stays all-or-nothing across them.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct VitalsWriterTests {
    /// The queue statement fails after the COPY went in: nothing of the
    /// batch stays, and the same connection writes the next batch.
    @Test func aFailingQueueStatementLeavesNothingAndTheConnectionWorks() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try connection.execute("""
            CREATE FUNCTION refuse_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'queue refused'; END $$;
            CREATE TRIGGER refuse_jobs BEFORE INSERT ON inference_jobs FOR EACH ROW EXECUTE FUNCTION refuse_jobs();
            """)
        let batch = GroupCommitterTests.batch("refused", from: 1_795_600_000, count: 10)
        #expect(throws: DatabaseError.self) { try VitalsWriter().write([batch], on: connection) }
        #expect(connection.isIdle)
        #expect(try database.count("SELECT count(*) FROM vitals") == 0)
        #expect(try database.count("SELECT count(*) FROM cases") == 0)

        try connection.execute("DROP TRIGGER refuse_jobs ON inference_jobs")
        #expect(try VitalsWriter().write([batch], on: connection) == [IngestCounts(accepted: 10, duplicates: 0)])
        #expect(try database.count("SELECT count(*) FROM vitals") == 10)
        #expect(try database.scalar("SELECT samples FROM inference_jobs WHERE case_id = 'refused'") == "10")
    }

    /// The fast path fails on a stored row and the slow path finishes the
    /// same transaction: new rows in, one job for them, the connection idle.
    @Test func aRetriedBatchFallsBackToTheSlowPathInOneTransaction() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        let writer = VitalsWriter()
        _ = try writer.write([GroupCommitterTests.batch("retry", from: 1_795_600_000, count: 10)], on: connection)
        let counts = try writer.write([GroupCommitterTests.batch("retry", from: 1_795_600_005, count: 10),
                                       GroupCommitterTests.batch("fresh", from: 1_795_600_000, count: 3)], on: connection)
        #expect(counts == [IngestCounts(accepted: 5, duplicates: 5), IngestCounts(accepted: 3, duplicates: 0)])
        #expect(connection.isIdle)
        #expect(try database.count("SELECT count(*) FROM vitals") == 18)
        #expect(try database.scalar("SELECT string_agg(samples::text, ',' ORDER BY id) FROM inference_jobs WHERE case_id = 'retry'") == "10,5")
        #expect(try database.scalar("SELECT samples FROM cases WHERE case_id = 'retry'") == "15")
    }

    /// A unit that refuses conflicts (a FHIR transaction) is left out of a
    /// shared commit whole; the others are stored as if it had not been sent.
    @Test func aRefusedUnitLeavesTheRestOfTheCommitStored() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        let writer = VitalsWriter()
        _ = try writer.write([GroupCommitterTests.batch("held", from: 1_795_600_000, count: 1)], on: connection)
        var clash = GroupCommitterTests.batch("held", from: 1_795_600_000, count: 2)
        clash.set(.hr, row: 0, to: 99)
        let counts = try writer.write(units: [
            IngestUnit([GroupCommitterTests.batch("other", from: 1_795_600_000, count: 3), clash], refusesConflicts: true),
            IngestUnit([GroupCommitterTests.batch("held", from: 1_795_600_001, count: 2)]),
        ], on: connection)
        #expect(counts[0].allSatisfy { $0.refused })
        #expect(counts[1] == [IngestCounts(accepted: 2, duplicates: 0)])
        #expect(connection.isIdle)
        #expect(try database.count("SELECT count(*) FROM vitals WHERE case_id = 'other'") == 0)
        #expect(try database.scalar("SELECT string_agg(hr::text, ',' ORDER BY ts) FROM vitals WHERE case_id = 'held'") == "70,70,70")
    }
}
