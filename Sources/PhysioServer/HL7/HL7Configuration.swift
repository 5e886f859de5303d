import PhysioHL7

/// `physio serve --hl7-port`: the MLLP listener and how its messages are read.
public struct HL7Configuration: Sendable {
    public var listener = MLLPConfiguration()
    public var caseRule = HL7CaseRule.standard
    public var timeZone = HL7TimeZone.unset
    /// Client certificates bound to cases (by common name).
    public var senderCases = HL7SenderCases()
    /// Messages remembered (sender, control id, digest) to answer a resend
    /// without writing it again.
    public var rememberedMessages = 65_536

    public init() {}
}
