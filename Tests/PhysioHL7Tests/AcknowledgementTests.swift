import PhysioHL7
import Testing

/// ACKs in the sender's delimiters and version: MSA-2 echoes MSH-10, ERR
/// names the segment, its sequence and the field.
struct AcknowledgementTests {
    static let now: Int64 = 1_795_514_400_123_456

    static func segments(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\r").map(String.init)
    }

    @Test func anAcceptEchoesTheControlIdInTheSendersDelimiters() throws {
        let message = try HL7Message.parse(Array("MSH#$%*@#MON#WARD#physio#HOSP#20261124100000##ORU$R01$ORU_R01#msg-7#P#2.6".utf8))
        let ack = HL7Acknowledgement(code: .accept).encode(answering: message, controlID: "a-1", now: Self.now)
        let lines = Self.segments(ack)
        #expect(lines == ["MSH#$%*@#physio#HOSP#MON#WARD#20261124100000.1234+0000##ACK$R01$ACK#a-1#P#2.6", "MSA#AA#msg-7"])
        let parsed = try HL7Message.parse(ack)
        #expect(parsed.first("MSA")?.field(2).text == "msg-7")
    }

    @Test func errorsAreNamedByLocationCodeAndSeverityFromVersion25() throws {
        let message = try HL7Message.parse(Array("MSH|^~\\&|MON|WARD|||20261124100000||ORU^R01|9|P|2.5.1".utf8))
        let ack = HL7Acknowledgement(code: .error, problems: [
            .init(segment: "OBX", sequence: 3, field: 5, code: 102, text: "OBX-5 'x|y' is not a number"),
        ]).encode(answering: message, controlID: "a-2", now: Self.now)
        let lines = Self.segments(ack)
        #expect(lines[1] == "MSA|AE|9|OBX-5 'x\\F\\y' is not a number")
        #expect(lines[2] == "ERR||OBX^3^5|102^Data type error^HL70357|E||||OBX-5 'x\\F\\y' is not a number")
    }

    @Test func beforeVersion25TheErrorIsERR1() throws {
        let message = try HL7Message.parse(Array("MSH|^~\\&|MON|WARD|||20261124100000||ORU^R01|9|P|2.4".utf8))
        let ack = HL7Acknowledgement(code: .reject, problems: [.init(segment: "MSH", sequence: 1, field: 12, code: 203, text: "version")])
            .encode(answering: message, controlID: "a-3", now: Self.now)
        #expect(Self.segments(ack)[2] == "ERR|MSH^1^12^203&Unsupported version id&HL70357")
    }

    @Test func anUnreadableMessageIsAnsweredWithTheStandardDelimiters() throws {
        let ack = HL7Acknowledgement(code: .reject, problems: [.init(segment: "MSH", sequence: 1, field: 0, code: 102, text: "no MSH")])
            .encode(answering: nil, controlID: "a-4", now: Self.now)
        let parsed = try HL7Message.parse(ack)
        #expect(parsed.first("MSA")?.field(1).text == "AR")
        #expect(parsed.first("MSA")?.field(2).isEmpty == true)
        #expect(parsed.header.field(12).text == "2.6")
    }

    @Test func versionNumbers() {
        #expect(HL7Acknowledgement.versionNumber("2.5.1") == 251)
        #expect(HL7Acknowledgement.versionNumber("2.3") == 230)
        #expect(HL7Acknowledgement.versionNumber("3.0") == 300)
        #expect(HL7Acknowledgement.versionNumber("v2") == 0)
        #expect(HL7Acknowledgement.versionNumber("2.x") == 0)
    }
}
