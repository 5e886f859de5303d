import ArgumentParser
import PhysioCore
import PhysioStore

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the database migrations that are missing (safe to run from several nodes at once).")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let connection = try DatabaseConnection(url: database.url(), applicationName: "physio-migrate")
        let applied = try Migrator().migrate(connection)
        let status = try Migrator().status(connection)
        print(applied.isEmpty ? "schema is current (version \(status.applied))"
                              : "applied \(applied.map(\.name).joined(separator: ", ")); schema version \(status.applied)")
    }
}
