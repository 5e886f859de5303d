import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct PostgresArrayTests {
    @Test func quotedElementsReachPostgreSQLUnchanged() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        let elements = ["or-1", "a,b", "{x}", "say \"hi\"", "back\\slash", "NULL", " spaced ", "", "ünï"]
        let result = try connection.query("SELECT e FROM unnest($1::text[]) WITH ORDINALITY AS t(e, n) ORDER BY n",
                                          [PostgresArray.literal(elements, quoted: true)])
        #expect((0..<result.rowCount).map { result.string($0, 0) } == elements)
    }
}
