import ArgumentParser

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
