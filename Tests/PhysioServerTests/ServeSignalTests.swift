import PhysioPlatform
import PhysioTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `serve` stops on SIGTERM, SIGINT and SIGHUP alike: it drains, says so and
/// exits 0 (until 2026-12-06 SIGHUP killed it at once, with no log line).
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ServeSignalTests {
    @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
    func aStopSignalDrainsAndExitsZero(signal: Int32) throws {
        let database = try TestDatabase.create()
        let directory = String(try Shell.output("mktemp -d /tmp/physio-signal.XXXXXX").filter { $0 != "\n" })
        defer { _ = try? Shell.run("rm -rf '\(directory)'") }
        let server = try PhysioProcess(["serve", "--port", "0", "--threads", "2", "--workers", "1", "--pool-size", "2"],
                                       environment: ["PHYSIO_DATABASE_URL": database.url], logPath: "\(directory)/serve.log")
        _ = try #require(server.waitForLog("\"msg\":\"listening\""), "\(server.log)")
        #expect(server.terminate(signal: signal) == 0, "\(server.log)")
        #expect(server.log.contains("\"msg\":\"shutting down\",\"signal\":\(signal)"), "\(server.log)")
    }
}
