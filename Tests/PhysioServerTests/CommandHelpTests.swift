import PhysioTestSupport
import Testing

/// `--help` is an answer, not an error: printed without "Error:", exit 0
/// (until 2026-12-06 every help text began "Error: OVERVIEW:"); a setting
/// `serve` cannot work with is refused at start, saying which.
@Suite struct CommandHelpTests {
    @Test(arguments: [["--help"], ["evaluate", "--help"], ["serve", "--help"], ["help", "train"]])
    func helpIsPrintedAsHelp(_ arguments: [String]) throws {
        let process = try PhysioProcess(arguments, logPath: "/tmp/physio-help-\(UInt32.random(in: 0...UInt32.max)).log")
        #expect(process.waitForExit() == 0, "\(arguments)")
        #expect(process.log.contains("OVERVIEW:") || process.log.contains("USAGE:"), "\(process.log.prefix(200))")
        #expect(!process.log.contains("Error:"), "\(process.log.prefix(200))")
    }

    /// Until 2026-12-06 these started: a log level silently info, every raw read a 400.
    @Test(arguments: [(["--max-rows-per-read", "0"], [:], "--max-rows-per-read"), (["--commit-max-rows", "0"], [:], "--commit-max-rows"),
                      (["--read-cache-bytes", "-1"], [:], "--read-cache-bytes"), ([], ["PHYSIO_LOG_LEVEL": "loud"], "PHYSIO_LOG_LEVEL")])
    func settingsServeCannotUseAreRefusedAtStart(_ arguments: [String], _ environment: [String: String], _ named: String) throws {
        let process = try PhysioProcess(["serve", "--database-url", "postgresql://nobody@127.0.0.1:1/none"] + arguments, environment: environment,
                                        logPath: "/tmp/physio-settings-\(UInt32.random(in: 0...UInt32.max)).log")
        #expect(process.waitForExit() != 0)
        #expect(process.log.contains("Error:") && process.log.contains(named), "\(process.log.prefix(300))")
    }
}
