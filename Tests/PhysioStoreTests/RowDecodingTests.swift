import PhysioCore
import PhysioPlatform
@testable import PhysioStore
import PhysioTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct RowDecodingTests {
    let connection: DatabaseConnection

    init() throws { connection = try TestDatabase.create().connect() }

    @Test func aTupleDecodesInColumnOrder() throws {
        let rows = try connection.query("""
            SELECT 42::int8, 'or-7'::text, 2.5::real, 0.1::float8, true, NULL::text, 7::int4
            """).decode((Int64, String, Float, Double, Bool, String?, Int).self)
        #expect(rows.count == 1)
        let (id, caseID, real, double, flag, missing, small) = rows[0]
        #expect(id == 42 && caseID == "or-7" && real == 2.5 && double == 0.1 && flag && missing == nil && small == 7)
    }

    @Test func timesLeaveAsMicrosecondsAndComeBackTheSame() throws {
        let micros: Int64 = 1_795_600_000_250_001
        let back = try connection.query("SELECT \(SQL.micros("$1::timestamptz"))", [SQLTime(micros)]).scalar(Int64.self)
        #expect(back == micros)
        #expect(try connection.query("SELECT $1::timestamptz IS NULL", [SQLTime.optional(nil)]).scalar(Bool.self))
    }

    @Test func aNullWhereAValueIsExpectedThrowsNamingTheColumn() throws {
        let result = try connection.query("SELECT 1 AS id, NULL::int8 AS peak")
        #expect(throws: DatabaseError.self) { try result.decode((Int, Int64).self) }
        do {
            _ = try result.rows[0].decode("peak", as: Int64.self)
            Issue.record("a NULL decoded as Int64")
        } catch let error as DatabaseError {
            #expect(error.message.contains("peak") && error.message.contains("NULL"))
        }
        #expect(try result.rows[0].decode("peak", as: Int64?.self) == nil)
        #expect(try result.rows[0].decode("id", as: Int.self) == 1)
    }

    @Test func textThatIsNotTheTypeThrows() throws {
        let result = try connection.query("SELECT 'twelve'::text, '12abc'::text, 'x'::text, 'maybe'::text")
        let row = result.rows[0]
        #expect(throws: DatabaseError.self) { try row.decode(0, as: Int64.self) }
        #expect(throws: DatabaseError.self) { try row.decode(1, as: Int.self) }
        #expect(throws: DatabaseError.self) { try row.decode(2, as: Double.self) }
        #expect(throws: DatabaseError.self) { try row.decode(3, as: Bool.self) }
        #expect(throws: DatabaseError.self) { try row.decode(9, as: String?.self) }
        #expect(throws: DatabaseError.self) { try row.decode("nope", as: String.self) }
    }

    @Test func singleAndScalarSayWhenTheShapeIsWrong() throws {
        #expect(try connection.query("SELECT 1 WHERE false").single((Int).self) == nil)
        #expect(throws: DatabaseError.self) { try connection.query("SELECT generate_series(1, 2)").single((Int).self) }
        #expect(throws: DatabaseError.self) { try connection.query("SELECT 1 WHERE false").scalar(Int.self) }
    }

    @Test func jobStatesAreAnEnumInSQLAsInSwift() throws {
        let labels = try connection.query("SELECT unnest(enum_range(NULL::job_state))::text").decode((String).self)
        #expect(labels == JobState.allCases.map(\.rawValue))
        #expect(try connection.query("SELECT 'running'::job_state").scalar(JobState.self) == .running)
        try connection.query("""
            INSERT INTO inference_jobs (case_id, ts_from, ts_to, samples) VALUES ('or-1', now(), now(), 1)
            """)
        #expect(try JobQueries().list(state: .available, afterID: nil, limit: 10, on: connection).map(\.state) == [.available])
        #expect(throws: DatabaseError.self) { try connection.query("UPDATE inference_jobs SET state = 'done'") }
    }
}
