import PhysioCore
import PhysioData
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The built `physio` binary run as a child process (as an operator would
/// run it), its standard output and error in a log file of its own.
public final class PhysioProcess: @unchecked Sendable {
    /// PHYSIO_BIN, else `physio` beside the test runner (swift build puts both in one directory).
    public static let binary: String = {
        if let path = getenv("PHYSIO_BIN") { return String(cString: path) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let runner = length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "."
        return String(runner[..<(runner.lastIndex(of: "/") ?? runner.startIndex)]) + "/physio"
    }()

    public let pid: pid_t
    public let logPath: String
    private var exitStatus: Int32?

    /// Starts `physio ARGUMENTS` with `environment` added to this process's
    /// own; `openFileLimit` starts it through sh with those limits (ulimit).
    public init(_ arguments: [String], environment: [String: String] = [:], logPath: String,
                openFileLimit: OpenFileLimit.Limits? = nil) throws {
        guard access(Self.binary, X_OK) == 0 else {
            throw ShellError(message: "\(Self.binary) is missing: build the physio product first (or set PHYSIO_BIN)")
        }
        self.logPath = logPath
        var inherited: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            let variable = String(cString: pointer)
            if !environment.keys.contains(where: { variable.hasPrefix($0 + "=") }) { inherited.append(variable) }
            entry += 1
        }
        let variables = inherited + environment.map { "\($0.key)=\($0.value)" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var child: pid_t = 0
        var program = Self.binary, argumentVector = [Self.binary] + arguments
        if let openFileLimit {
            // sh execs physio, so the pid stays physio's.
            program = "/bin/sh"
            argumentVector = ["sh", "-c", "ulimit -Sn \(openFileLimit.soft) && ulimit -Hn \(openFileLimit.hard) && exec \"$0\" \"$@\"",
                              Self.binary] + arguments
        }
        let status = Self.withCStrings(argumentVector) { argv in
            Self.withCStrings(variables) { envp in posix_spawn(&child, program, &actions, nil, argv, envp) }
        }
        guard status == 0 else { throw ShellError(message: "posix_spawn \(program) failed: \(status)") }
        pid = child
    }

    deinit {
        if exitStatus == nil { kill(pid, SIGKILL); _ = wait() }
    }

    /// SIGTERM (or `signal`), then waits for the exit; returns the exit status (128+n if killed by signal n).
    @discardableResult
    public func terminate(signal: Int32 = SIGTERM) -> Int32 {
        if exitStatus == nil { kill(pid, signal) }
        return wait()
    }

    /// Waits for a command that ends by itself; returns its exit status.
    @discardableResult
    public func waitForExit() -> Int32 { wait() }

    private func wait() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        exitStatus = code
        return code
    }

    public var log: String {
        (try? LineReader.readAll(path: logPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The first log line containing `text`, waiting up to `seconds` for it.
    public func waitForLog(_ text: String, seconds: Double = 30) -> Substring? {
        let deadline = Clock.monotonicNanos() + UInt64(seconds * 1e9)
        repeat {
            if let line = log.split(separator: "\n").first(where: { $0.contains(text) }) { return line }
            Clock.sleep(seconds: 0.05)
        } while Clock.monotonicNanos() < deadline
        return nil
    }

    /// An integer field of a JSON log line, e.g. `"port":8080`.
    public static func field(_ name: String, in line: Substring) -> Int? {
        guard let range = line.firstRange(of: "\"\(name)\":") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber || $0 == "-" })
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
