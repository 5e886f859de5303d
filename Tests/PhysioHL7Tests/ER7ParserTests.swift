import PhysioHL7
import Testing

/// ER7 as senders write it: delimiters declared in MSH, escapes, CR or LF
/// between segments, and the errors that name their segment and field.
struct ER7ParserTests {
    static func parse(_ text: String) throws(HL7ParseError) -> HL7Message { try HL7Message.parse(Array(text.utf8)) }

    @Test func fieldsComponentsAndRepetitionsByTheMessagesOwnDelimiters() throws {
        let message = try Self.parse("MSH|^~\\&|MON^080019FFFE^EUI-64|OR|physio||20261124100000+0100||ORU^R01^ORU_R01|42|P|2.6\rPID|||MRN1^^^HOSP^MR~MRN2^^^OLD^MR||DOE^JANE\rOBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.2.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R\r")
        #expect(message.segments.map(\.id) == ["MSH", "PID", "OBX"])
        let header = message.header
        #expect(header.field(1).text == "|")
        #expect(header.field(2).text == "^~\\&")
        #expect(header.field(3).component(2).text == "080019FFFE")
        #expect(header.field(9).component(1).text == "ORU" && header.field(9).component(2).text == "R01")
        #expect(header.field(10).text == "42")
        #expect(header.field(12).text == "2.6")
        #expect(header.field(40).isEmpty)
        let pid = message.segments[1]
        #expect(pid.field(3).repetitions.map { $0.component(1).text } == ["MRN1", "MRN2"])
        #expect(pid.field(3).component(4).text == "HOSP")
        let obx = message.segments[2]
        #expect(obx.field(3).component(1).text == "150456")
        #expect(obx.field(5).text == "97")
        #expect(obx.field(11).text == "R")
        #expect(obx.field(0).isEmpty && obx.field(99).isEmpty)
    }

    /// A later segment that is only the id "MSH", at the end of the bytes,
    /// once made MSH-1 a range past the message's end (a fuzzer's crash).
    @Test func aBareMSHSegmentLaterInTheMessageHasEmptyFields() throws {
        let message = try Self.parse("MSH|^~\\&|MON|OR|physio||20261124100000||ORU^R01|1|P|2.4\rOBX|1|NM|8867-4||72\rMSH")
        let bare = try #require(message.segments.last)
        #expect(message.segments.map(\.id) == ["MSH", "OBX", "MSH"])
        #expect(bare.field(1).isEmpty && bare.field(1).repetitions.map(\.text) == [""])
        #expect(bare.field(2).isEmpty && bare.field(10).text == "")
        #expect(message.header.field(1).text == "|")
    }

    @Test func otherDelimitersAreHonoured() throws {
        // Field '#', component '$', repetition '%', escape '*', subcomponent '@'.
        let message = try Self.parse("MSH#$%*@#MON#OR#physio##20261124100000##ORU$R01#7#P#2.5\nOBX#1#NM#8867-4$Heart rate$LN##72#/min$$UCUM\n")
        #expect(message.encoding.field == 0x23 && message.encoding.component == 0x24)
        #expect(message.header.field(9).component(2).text == "R01")
        #expect(message.segments[1].field(3).component(3).text == "LN")
        #expect(message.segments[1].field(6).component(1).text == "/min")
        #expect(message.segments[1].field(6).component(3).text == "UCUM")
    }

    @Test func escapesResolveToTheDelimitersAndBytes() throws {
        let message = try Self.parse("MSH|^~\\&|A|B|C|D|20261124100000||ORU^R01|1|P|2.6\rNTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X41\\\\.br\\g\r")
        #expect(message.segments[1].field(3).text == "a|b^c&d~e\\fAg")
        let escaped = HL7Escapes.escape(Array("x|y^z".utf8), encoding: .standard)
        #expect(String(decoding: escaped, as: UTF8.self) == "x\\F\\y\\S\\z")
    }

    @Test func segmentsEndWithCROrLFOrBoth() throws {
        for separator in ["\r", "\n", "\r\n"] {
            let message = try Self.parse(["MSH|^~\\&|A|B|C|D|1||ORU^R01|1|P|2.6", "PID|||X", "OBX|1|NM|1^x^MDC||1"].joined(separator: separator) + separator)
            #expect(message.segments.map(\.id) == ["MSH", "PID", "OBX"])
        }
    }

    @Test func segmentSequenceCountsSegmentsOfTheSameId() throws {
        let message = try Self.parse("MSH|^~\\&|A|B|C|D|1||ORU^R01|1|P|2.6\rOBX|1\rOBR|1\rOBX|2\rOBX|3\r")
        #expect(message.segments.map(\.sequence) == [1, 1, 1, 2, 3])
    }

    @Test(arguments: [
        ("PID|||X", "MSH", 0),                                       // no MSH first
        ("MSH1^~\\&|A", "MSH", 1),                                   // a digit as the field separator
        ("MSH|^~|A|B", "MSH", 2),                                    // too few encoding characters
        ("MSH|^^\\&|A|B", "MSH", 2),                                 // the same delimiter twice
        ("MSH|^~\\&|A|B|C|D|1||ORU^R01|1|P|2.6\rpid|||X", "pid", 0), // a lower-case segment id
        ("MSH|^~\\&|A|B|C|D|1||ORU^R01|1|P|2.6\rPI|||X", "PI", 0),   // a two-character id
    ])
    func malformedMessagesAreRefusedWhereTheyBreak(_ text: String, segment: String, field: Int) {
        #expect(throws: HL7ParseError.self) { try Self.parse(text) }
        do {
            _ = try Self.parse(text)
        } catch {
            #expect(error.segment == segment && error.field == field, "\(error)")
        }
    }

    @Test func dateTimesReadToTheMicrosecondByTheOneTimeRule() throws {
        func micros(_ text: String, offset: Int = 0) -> Int64? {
            guard case .success(let time) = HL7DateTime.parse(ArraySlice(Array(text.utf8))) else { return nil }
            return time.micros(offsetMinutes: time.offsetMinutes ?? offset)
        }
        #expect(micros("20261124100000+0000") == 1_795_514_400_000_000)
        #expect(micros("20261124110000+0100") == 1_795_514_400_000_000)
        #expect(micros("20261124100000", offset: 60) == 1_795_510_800_000_000)
        #expect(micros("202611241000+0000") == 1_795_514_400_000_000)            // to the minute
        #expect(micros("20261124100000.1234+0000") == 1_795_514_400_123_400)
        #expect(micros("20261124100000.00000050+0000") == 1_795_514_400_000_001)  // half a microsecond rounds up
        #expect(HL7DateTime.parse(ArraySlice(Array("20261124".utf8))) == .failure(.imprecise))
        #expect(HL7DateTime.parse(ArraySlice(Array("2026112410".utf8))) == .failure(.imprecise))
        #expect(HL7DateTime.parse(ArraySlice(Array("20261131100000".utf8))) == .failure(.malformed))   // 31 November
        #expect(HL7DateTime.parse(ArraySlice(Array("20261124100000+01".utf8))) == .failure(.malformed))
        #expect(HL7DateTime.parse(ArraySlice(Array("2026-11-24T10:00:00Z".utf8))) == .failure(.malformed))
    }
}
