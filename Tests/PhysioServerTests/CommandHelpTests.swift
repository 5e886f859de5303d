import PhysioTestSupport
import Testing

/// `--help` is an answer, not an error: printed without "Error:", exit 0
/// (until 2026-12-06 every help text began "Error: OVERVIEW:").
@Suite struct CommandHelpTests {
    @Test(arguments: [["--help"], ["evaluate", "--help"], ["serve", "--help"], ["help", "train"]])
    func helpIsPrintedAsHelp(_ arguments: [String]) throws {
        let process = try PhysioProcess(arguments, logPath: "/tmp/physio-help-\(UInt32.random(in: 0...UInt32.max)).log")
        #expect(process.waitForExit() == 0, "\(arguments)")
        #expect(process.log.contains("OVERVIEW:") || process.log.contains("USAGE:"), "\(process.log.prefix(200))")
        #expect(!process.log.contains("Error:"), "\(process.log.prefix(200))")
    }
}
