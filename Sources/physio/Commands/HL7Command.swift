import ArgumentParser

struct HL7Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hl7",
        abstract: "Act as an HL7 v2 gateway: send ORU^R01 messages over MLLP, or write a case as such messages.",
        subcommands: [HL7Send.self, HL7Encode.self])
}
