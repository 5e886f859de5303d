import ArgumentParser

@main
struct Physio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "physio",
        abstract: "Real-time physiological anomaly detection for operating rooms.",
        discussion: "Every option can also be set with the PHYSIO_* environment variable named in its help.",
        subcommands: [Serve.self, Migrate.self, TokenCommand.self, VitalDBCommand.self, Simulate.self,
                      Train.self, FeaturesCommand.self, ForestCommand.self])
}
