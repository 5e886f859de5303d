import PhysioCore
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL instance of a test's own, for tests that stop and start the
/// database (the shared test instance must stay up for everyone else).
/// Uses the same shell functions as scripts/test.
public final class PrivatePostgres: @unchecked Sendable {
    public let directory: String
    public let port: Int
    /// Extra `postgres -c` settings (name=value), e.g. shared_preload_libraries=timescaledb.
    public let settings: [String]
    public var url: String { "postgresql://physio@127.0.0.1:\(port)/postgres" }

    public init(settings: [String] = []) throws {
        self.settings = settings
        var template = Array("/tmp/physio-private-pg.XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw ShellError(message: "mkdtemp failed") }
        directory = String(cString: created)
        let freePort = try Shell.output(". '\(Shell.repositoryRoot)/scripts/lib/system.sh' && free_port")
        port = Int(String(freePort.filter(\.isNumber)))!
        try start()
    }

    deinit {
        try? stop()
        _ = try? Shell.run("rm -rf '\(directory)'")
    }

    public func start() throws {
        try Shell.run(". '\(Shell.repositoryRoot)/scripts/lib/system.sh' && pg_start '\(directory)' \(port) fsync=off\(settings.map { " '\($0)'" }.joined())")
    }

    public func stop() throws {
        try Shell.run(". '\(Shell.repositoryRoot)/scripts/lib/system.sh' && pg_stop '\(directory)'")
    }
}

public struct ShellError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

public enum Shell {
    /// The repository, found from this source file's path.
    public static let repositoryRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    @discardableResult
    public static func run(_ command: String) throws -> Int32 {
        let status = system("bash -c \"\(command.replacingQuotes)\" >/dev/null 2>&1")
        guard status == 0 else { throw ShellError(message: "command failed (\(status)): \(command)") }
        return status
    }

    public static func output(_ command: String) throws -> String {
        guard let pipe = popen("bash -c \"\(command.replacingQuotes)\"", "r") else { throw ShellError(message: "popen failed") }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, pipe)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        guard pclose(pipe) == 0 else { throw ShellError(message: "command failed: \(command)") }
        return String(decoding: output, as: UTF8.self)
    }
}

extension String {
    var replacingQuotes: String {
        var out = ""
        for character in self {
            if character == "\"" || character == "$" || character == "`" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
