import PhysioHL7
import Testing

/// Files of messages as people keep them: LF or CR LF line ends, several
/// messages one after another, text before the first, or MLLP frames.
struct HL7MessageFileTests {
    static let one = "MSH|^~\\&|A||B||20261124100000||ORU^R01|1|P|2.6\rPID|||x\rOBX|1|NM|147842^^MDC||72\r"
    static let two = "MSH|^~\\&|A||B||20261124100001||ORU^R01|2|P|2.6\rPID|||x\r"

    static func lines(_ message: String, endedBy end: String) -> String {
        message.split(separator: "\r", omittingEmptySubsequences: false).joined(separator: end)
    }

    static func text(_ messages: [[UInt8]]) -> [String] { messages.map { String(decoding: $0, as: UTF8.self) } }

    @Test(arguments: ["\r", "\n", "\r\n"])
    func messagesStartAtEachMSHWhateverTheLineEnds(_ end: String) {
        let file = "# two messages\n" + Self.lines(Self.one + Self.two, endedBy: end) + end + end
        #expect(Self.text(HL7MessageFile.messages(in: Array(file.utf8))) == [Self.one, Self.two])
    }

    @Test func framedMessagesAreTakenFrameByFrame() {
        let framed = MLLPFramer.frame(Array(Self.one.utf8)) + Array("\n".utf8) + MLLPFramer.frame(Array(Self.lines(Self.two, endedBy: "\r\n").utf8))
        #expect(Self.text(HL7MessageFile.messages(in: framed)) == [Self.one, Self.two])
    }

    @Test func aFileWithoutMSHHasNoMessage() {
        #expect(HL7MessageFile.messages(in: Array("PID|||x\rOBX|1\r".utf8)).isEmpty)
        #expect(HL7MessageFile.messages(in: []).isEmpty)
    }
}
