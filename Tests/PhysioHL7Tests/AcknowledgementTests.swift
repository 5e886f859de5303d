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

    /// MSA-3 is an ST of 80: a longer text is cut at a word and marked, not
    /// mid-word (ERR-8 carries it whole).
    @Test func aLongTextIsCutAtAWordInMSA3AndWholeInERR() throws {
        let message = try HL7Message.parse(Array("MSH|^~\\&|MON|WARD|||20261124100000||ORU^R01|9|P|2.6".utf8))
        let text = "OBX-3 '528391^MDC_DEV_SPEC_PROFILE_BP^MDC' is not a vital sign physio stores (docs/hl7.md lists the codes); not stored"
        let ack = HL7Acknowledgement(code: .accept, problems: [.init(segment: "OBX", sequence: 1, field: 3, code: 103, severity: .warning, text: text)])
            .encode(answering: message, controlID: "a-4", now: Self.now)
        let lines = Self.segments(ack)
        let shown = String(lines[1].dropFirst("MSA|AA|9|".count))
        #expect(shown == "OBX-3 '528391\\S\\MDC_DEV_SPEC_PROFILE_BP\\S\\MDC' is not a vital sign physio stores...", "\(shown)")
        #expect(lines[2].hasSuffix("(docs/hl7.md lists the codes); not stored"), "\(lines[2])")
    }

    @Test func beforeVersion25TheErrorIsERR1() throws {
        let message = try HL7Message.parse(Array("MSH|^~\\&|MON|WARD|||20261124100000||ORU^R01|9|P|2.4".utf8))
        let ack = HL7Acknowledgement(code: .reject, problems: [.init(segment: "MSH", sequence: 1, field: 12, code: 203, text: "version")])
            .encode(answering: message, controlID: "a-3", now: Self.now)
        #expect(Self.segments(ack)[2] == "ERR|MSH^1^12^203&Unsupported version id&HL70357")
    }

    /// An ACK before v2.5 has one ERR: several problems are repetitions of ERR-1
    /// (strict parsers refuse a second ERR). MSH-9.3 exists from v2.3.1 on.
    @Test func beforeVersion25ProblemsRepeatERR1InOneSegment() throws {
        for (version, type) in [("2.4", "ACK^R01^ACK"), ("2.3.1", "ACK^R01^ACK"), ("2.3", "ACK^R01")] {
            let message = try HL7Message.parse(Array("MSH|^~\\&|MON|WARD|||20261124100000||ORU^R01|9|P|\(version)".utf8))
            let ack = HL7Acknowledgement(code: .accept, problems: [
                .init(segment: "OBX", sequence: 2, field: 5, code: 205, severity: .warning, text: "a"),
                .init(segment: "OBX", sequence: 3, field: 3, code: 103, severity: .warning, text: "b"),
            ]).encode(answering: message, controlID: "a-5", now: Self.now)
            let lines = Self.segments(ack)
            #expect(lines[0].split(separator: "|", omittingEmptySubsequences: false)[8] == Substring(type), "\(version): \(lines[0])")
            #expect(lines.count == 3 && lines[2] == "ERR|OBX^2^5^205&Duplicate key identifier&HL70357~OBX^3^3^103&Table value not found&HL70357",
                    "\(version): \(lines)")
        }
    }

    /// At most 50 ERR segments: the 50th says how many more there were.
    @Test func problemsPastFiftyAreCountedNotDropped() throws {
        let message = try HL7Message.parse(Array("MSH|^~\\&|MON|WARD|||20261124100000||ORU^R01|9|P|2.6".utf8))
        let problems = (1...70).map { HL7Acknowledgement.Problem(segment: "OBX", sequence: $0, field: 5, code: 205, severity: .warning, text: "w\($0)") }
        let lines = Self.segments(HL7Acknowledgement(code: .accept, problems: problems).encode(answering: message, controlID: "a-6", now: Self.now))
        let errors = lines.filter { $0.hasPrefix("ERR") }
        #expect(errors.count == 50)
        #expect(errors[48].hasSuffix("w49") && errors[49].contains("21 more problems not listed (21 of them values not stored)"), "\(errors[49])")
    }

    /// A sender's escaped control bytes (\X1C\: MLLP's end of block) are not quoted back raw.
    @Test func controlCharactersNeverReachTheAcknowledgement() throws {
        let message = try HL7Message.parse(Array("MSH|^~\\&|MON|WARD|||20261124100000||ORU^R01|9|P|2.6".utf8))
        let ack = HL7Acknowledgement(code: .error, problems: [.init(segment: "OBX", sequence: 1, field: 3, code: 103, text: "code 'a\u{1C}\u{0B}b'")])
            .encode(answering: message, controlID: "a-7", now: Self.now)
        #expect(!ack.contains(0x1C) && !ack.contains(0x0B))
        #expect(Self.segments(ack)[2].hasSuffix("code 'a??b'"))
    }

    /// v2.7's truncation character, when declared, is escaped in text like the other delimiters.
    @Test func theTruncationCharacterIsEscapedWhereDeclared() throws {
        let message = try HL7Message.parse(Array("MSH|^~\\&#|MON|WARD|||20261124100000||ORU^R01|9|P|2.7".utf8))
        let ack = HL7Acknowledgement(code: .error, problems: [.init(segment: "OBX", sequence: 1, field: 5, code: 102, text: "OBX-5 '7#2' is not a number")])
            .encode(answering: message, controlID: "a-8", now: Self.now)
        #expect(Self.segments(ack)[2].hasSuffix("OBX-5 '7\\P\\2' is not a number"), "\(Self.segments(ack))")
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
