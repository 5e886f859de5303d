import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

@main
struct Physio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "physio",
        abstract: "Real-time physiological anomaly detection for operating rooms.",
        discussion: "Every option can also be set with the PHYSIO_* environment variable named in its help.",
        // One per line, so adding a command never conflicts with another.
        subcommands: [
            Serve.self,
            Work.self,
            Migrate.self,
            TokenCommand.self,
            Import.self,
            Replay.self,
            Train.self,
            FeaturesCommand.self,
            ForestCommand.self,
            LoadGen.self,
            VitalDBCommand.self,
            Simulate.self,
            Evaluate.self,
            HL7Command.self,
            RetentionCommand.self,
        ])
}

extension Physio {
    /// As ArgumentParser's, but an error found while a command runs (a token
    /// name in use, a file missing, a bad database URL) is printed alone:
    /// ArgumentParser would add the root command's usage line, which names
    /// no subcommand and suggests the arguments were not understood.
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch {
            // Help and version asked for (a clean exit): ArgumentParser prints them on stdout.
            if exitCode(for: error).rawValue == 0 { exit(withError: error) }
            let message = message(for: error)
            if !message.isEmpty { _ = Array("Error: \(message)\n".utf8).withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) } }
            exit(withError: ExitCode(exitCode(for: error).rawValue))
        }
    }
}
