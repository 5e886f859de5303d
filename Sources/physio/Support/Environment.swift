import ArgumentParser
import PhysioStore
#if canImport(Glibc)
import Glibc
#endif

/// Defaults from PHYSIO_* variables, so every flag can be set either way.
/// A variable that is set but malformed stops the program with a message.
enum Environment {
    static func string(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }

    static func string(_ name: String, default fallback: String) -> String {
        string(name) ?? fallback
    }

    static func int(_ name: String, default fallback: Int) -> Int {
        guard let text = string(name) else { return fallback }
        guard let value = Int(text) else { fail("\(name)=\(text) is not a whole number") }
        return value
    }

    static func double(_ name: String, default fallback: Double) -> Double {
        guard let text = string(name) else { return fallback }
        guard let value = Double(text) else { fail("\(name)=\(text) is not a number") }
        return value
    }

    static func fail(_ message: String) -> Never {
        let line = "physio: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        exit(64)
    }
}

/// The database every command talks to.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: "libpq URL, e.g. postgresql://physio@localhost/physio (env PHYSIO_DATABASE_URL).")
    var flag: String?

    /// The flag, else the environment (read here: an Optional option cannot take a default).
    var databaseURL: String? { flag ?? Environment.string("PHYSIO_DATABASE_URL") }

    func url() throws -> String {
        guard let databaseURL else {
            throw ValidationError("no database: pass --database-url or set PHYSIO_DATABASE_URL")
        }
        // Refused here, before any connection: libpq's complaint, password removed.
        if let problem = DatabaseURL.problem(databaseURL) { throw ValidationError("the database URL is not valid: \(problem)") }
        return databaseURL
    }
}
