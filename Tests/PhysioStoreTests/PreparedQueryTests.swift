import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct PreparedQueryTests {
    static let countSQL = "SELECT count(*) FROM prepared_probe WHERE n >= $1::int"

    func probe(_ database: TestDatabase) throws -> DatabaseConnection {
        let connection = try database.connect()
        try connection.execute("CREATE TABLE prepared_probe (n int); INSERT INTO prepared_probe SELECT generate_series(1, 10)")
        return connection
    }

    func statementsPrepared(_ connection: DatabaseConnection) throws -> Int {
        try connection.query("SELECT count(*) FROM pg_prepared_statements").int(0, 0)!
    }

    @Test func aStatementIsPreparedOnceAndTakesNewParameters() throws {
        let database = try TestDatabase.create()
        let connection = try probe(database)
        #expect(try connection.query(prepared: Self.countSQL, ["3"]).int(0, 0) == 8)
        #expect(try connection.query(prepared: Self.countSQL, ["9"]).int(0, 0) == 2)
        #expect(try statementsPrepared(connection) == 1)
    }

    /// A pooler's DISCARD ALL drops the session's statements; the next call prepares again.
    @Test func aSessionThatLostItsStatementsPreparesAgain() throws {
        let database = try TestDatabase.create()
        let connection = try probe(database)
        _ = try connection.query(prepared: Self.countSQL, ["1"])
        try connection.execute("DISCARD ALL")
        #expect(try statementsPrepared(connection) == 0)
        #expect(try connection.query(prepared: Self.countSQL, ["5"]).int(0, 0) == 6)
    }

    /// A migration that changes a table under a prepared `SELECT *` changes
    /// its result type; the statement is prepared again, not failed.
    @Test func aStatementWhoseTableChangedPreparesAgain() throws {
        let database = try TestDatabase.create()
        let connection = try probe(database)
        let sql = "SELECT * FROM prepared_probe ORDER BY n LIMIT 1"
        #expect(try connection.query(prepared: sql).columnCount == 1)
        try connection.execute("ALTER TABLE prepared_probe ADD COLUMN m int DEFAULT 7")
        let after = try connection.query(prepared: sql)
        #expect(after.columnCount == 2)
        #expect(after.int(0, 1) == 7)
    }
}

/// `execute(prepared:literals:then:)`, the ingest commit's single round trip.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct PreparedExecuteTests {
    static let insertSQL = "INSERT INTO literal_probe VALUES ($1::text)"
    static let tricky = #"it's a \ "test" \' '' \\n"#

    /// Quotes and backslashes arrive as sent, whatever
    /// standard_conforming_strings says; the trailing statement's result is returned.
    @Test func literalsArriveAsSentAndTheNextStatementRuns() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try connection.execute("CREATE TABLE literal_probe (t text)")
        let result = try connection.execute(prepared: Self.insertSQL, literals: [Self.tricky], then: "SELECT t FROM literal_probe")
        #expect(result.string(0, 0) == Self.tricky)
        try connection.execute("SET standard_conforming_strings = off")
        try connection.execute(prepared: Self.insertSQL, literals: [Self.tricky], then: "SELECT 1")
        #expect(try connection.query("SELECT count(*) FROM literal_probe WHERE t = $1", [Self.tricky]).int(0, 0) == 2)
    }

    /// Inside a transaction a lost statement fails it; the caller's retry prepares it again.
    @Test func aStatementLostInsideATransactionIsPreparedAgainOnTheRetry() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try connection.execute("CREATE TABLE literal_probe (t text)")
        try connection.execute(prepared: Self.insertSQL, literals: ["first"], then: "SELECT 1")
        try connection.execute("DISCARD ALL")
        try connection.execute("BEGIN")
        #expect(throws: DatabaseError.self) {
            try connection.execute(prepared: Self.insertSQL, literals: ["lost"], then: "COMMIT")
        }
        try connection.execute("ROLLBACK")
        try connection.execute("BEGIN")
        try connection.execute(prepared: Self.insertSQL, literals: ["retried"], then: "COMMIT")
        #expect(try database.scalar("SELECT string_agg(t, ',' ORDER BY t) FROM literal_probe") == "first,retried")
    }
}
