import PhysioCore
import PhysioData
import PhysioStore
import PhysioTestSupport
import Testing
import PhysioPlatform

/// `serve` raises its soft open-file limit to cover --connection-limit, as
/// far as the hard limit allows, and says so when that is not far enough.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct OpenFileLimitTests {
    /// (soft, hard) from /proc/PID/limits.
    static func openFiles(of pid: Int32) throws -> (Int, Int) {
        let text = String(decoding: try LineReader.readAll(path: "/proc/\(pid)/limits"), as: UTF8.self)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let numbers = line.split(separator: " ").compactMap { Int($0) }
        return (try #require(numbers.first), try #require(numbers.dropFirst().first))
    }

    func serve(_ database: TestDatabase, limits: OpenFileLimit.Limits, connections: Int) throws -> (PhysioProcess, String) {
        let directory = String(try Shell.output("mktemp -d /tmp/physio-nofile.XXXXXX").filter { $0 != "\n" })
        let server = try PhysioProcess(["serve", "--port", "0", "--threads", "2", "--workers", "1", "--pool-size", "2", "--export-connections", "3",
                                        "--commit-writers", "1", "--connection-limit", "\(connections)"],
                                       environment: ["PHYSIO_DATABASE_URL": database.url], logPath: "\(directory)/serve.log",
                                       openFileLimit: limits)
        return (server, directory)
    }

    @Test(.enabled(if: (OpenFileLimit.current()?.hard ?? 0) >= 4096, "the hard open-file limit here is under 4096: ulimit -Hn"))
    func theSoftLimitIsRaisedToCoverTheConnections() throws {
        let database = try TestDatabase.create()
        let (server, directory) = try serve(database, limits: .init(soft: 256, hard: 4096), connections: 2048)
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        _ = try #require(server.waitForLog("\"msg\":\"listening\""), "\(server.log)")
        let (soft, hardNow) = try Self.openFiles(of: server.pid)
        #expect(soft == 2048 + 2 + 3 + 1 + 2 + 64 && hardNow == 4096, "soft \(soft), hard \(hardNow)")
        #expect(!server.log.contains("open-file limit"), "\(server.log)")
        #expect(server.terminate() == 0)
    }

    @Test func aHardLimitTooLowIsRaisedToAndLogged() throws {
        let database = try TestDatabase.create()
        let (server, directory) = try serve(database, limits: .init(soft: 256, hard: 1024), connections: 2048)
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        _ = try #require(server.waitForLog("\"msg\":\"listening\""), "\(server.log)")
        let (soft, hard) = try Self.openFiles(of: server.pid)
        #expect(soft == 1024 && hard == 1024, "soft \(soft), hard \(hard)")
        let warning = try #require(server.waitForLog("open-file limit"), "\(server.log)")
        #expect(warning.contains("\"needed\":2120") && warning.contains("\"soft\":1024"), "\(warning)")
        #expect(server.terminate() == 0)
    }
}
