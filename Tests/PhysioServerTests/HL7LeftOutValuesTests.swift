import PhysioHL7
import PhysioPlatform
import PhysioServer
import PhysioTestSupport
import Testing

/// Every value an ORU^R01 gives that is not stored is named in its AA (an
/// ERR with severity W at that OBX), not only counted in the metrics; and
/// the codes gateways send in other spellings are read.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct HL7LeftOutValuesTests {
    typealias M = HL7Messages

    /// One vital twice for one instant: the higher rank (or the first) is
    /// stored, and the other is named, unless it said the same.
    @Test func aVitalGivenTwiceInOneMessageNamesTheValueNotStored() throws {
        let server = try HL7IngestTests.server()
        let ack = try #require(try server.mllp().exchange(M.oru(id: "twice-1", observations: [
            M.obx(1, M.hr, "72", M.bpm), M.obx(2, M.hr, "90", M.bpm),
            M.obx(3, M.nibpSys, "120", M.mmHg), M.obx(4, M.artSys, "110", M.mmHg),
            M.obx(5, M.spo2, "97", M.percent), M.obx(6, M.spo2, "97", M.percent),
        ])))
        #expect(ack.acknowledgement?.code == "AA")
        let warnings = ack.warnings
        #expect(warnings.map(\.location) == ["OBX^2^5", "OBX^3^5"], "\(ack.errors)")
        #expect(warnings.allSatisfy { $0.code == "205" })
        #expect(warnings.first?.text.contains("OBX 1") == true && warnings.first?.text.contains("sent first") == true, "\(warnings)")
        #expect(warnings.last?.text.contains("ranks higher") == true, "\(warnings)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 72 AND sbp = 110 AND spo2 = 97") == 1)
    }

    /// MDC without a system when the text is the code's own name, by its
    /// name alone, FHIR's system URIs, LOINC 2710-2: stored. A bare number
    /// and a code physio does not take: named, with what to send.
    @Test func codesInGatewaysSpellingsAreReadAndOthersNamed() throws {
        let server = try HL7IngestTests.server()
        let message = M.oru(id: "codes-1", observations: [
            M.obx(1, "150456^MDC_PULS_OXIM_SAT_O2", "95", "%"),
            M.obx(2, "149530^MDC_PULS_OXIM_PULS_RATE^urn:iso:std:iso:11073:10101", "73", "bpm"),
            M.obx(3, "8480-6^Systolic blood pressure^http://loinc.org", "118", "mm[Hg]"),
            M.obx(4, "MDC_PRESS_BLD_NONINV_DIA^^MDC", "70", "mmHg"),
            M.obx(5, "151562", "14", "/min"),
            M.obx(6, "999999^MDC_NOT_A_VITAL^MDC", "3", ""),
            M.obx(7, "150456^MDC_ECG_HEART_RATE", "60", ""),   // a number and another code's name: not taken
        ])
        let ack = try #require(try server.mllp().exchange(message))
        #expect(ack.acknowledgement?.code == "AA")
        // Sent again (its first answer may be the one lost): the same warnings, stored once.
        let again = try #require(try server.mllp().exchange(message))
        #expect(again.warnings.map(\.location) == ack.warnings.map(\.location) && !again.warnings.isEmpty)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE spo2 = 95 AND hr = 73 AND sbp = 118 AND dbp = 70 AND rr IS NULL") == 1)
        let warnings = ack.warnings
        #expect(warnings.map(\.location) == ["OBX^5^3", "OBX^6^3", "OBX^7^3"], "\(ack.errors)")
        #expect(warnings.first?.text.contains("send 151562^MDC_RESP_RATE^MDC") == true, "\(warnings)")
        #expect(warnings.dropFirst().first?.text.contains("not a vital sign physio stores") == true, "\(warnings)")
        #expect(warnings.last?.text.contains("send 150456^MDC_PULS_OXIM_SAT_O2^MDC") == true, "\(warnings)")

        let spo2 = try #require(try server.mllp().exchange(M.oru(id: "codes-2", time: "20261124100001+0000", observations: [
            M.obx(1, "2710-2^Oxygen saturation in Capillary blood by Oximetry^LN", "96", "%"),
        ])))
        #expect(spo2.acknowledgement?.code == "AA" && spo2.errors.isEmpty, "\(spo2.errors)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE spo2 = 96") == 1)
    }

    /// Results retracted (D, W) or not results (N, I) are not stored and
    /// named; "cannot be obtained" (X) sent no value to lose; a negative
    /// "not measured" is named.
    @Test func valuesThatAreNoResultsAreNamed() throws {
        let server = try HL7IngestTests.server()
        #expect(try server.mllp().exchange(M.oru(id: "status-1", observations: [M.obx(1, M.hr, "72", M.bpm)]))?.acknowledgement?.code == "AA")
        let ack = try #require(try server.mllp().exchange(M.oru(id: "status-2", observations: [
            M.obx(1, M.hr, "72", M.bpm, status: "D"), M.obx(2, M.spo2, "97", M.percent, status: "W"),
            M.obx(3, M.nibpSys, "120", M.mmHg, status: "N"), M.obx(4, M.nibpDia, "80", M.mmHg, status: "I"),
            M.obx(5, M.temp, "", M.celsius, status: "X"), M.obx(6, M.artSys, "-1", M.mmHg, status: "F"),
            M.obx(7, M.temp, "36.5", M.celsius, status: "X"), M.obx(8, M.nibpSys, "121", M.mmHg, status: " F"),
        ])))
        #expect(ack.acknowledgement?.code == "AA")
        let warnings = ack.warnings
        #expect(warnings.map(\.location) == ["OBX^1^11", "OBX^2^11", "OBX^3^11", "OBX^4^11", "OBX^6^5", "OBX^7^11"], "\(ack.errors)")
        #expect(warnings.first?.text.contains("retracts a result") == true, "\(warnings)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 72 AND spo2 IS NULL AND sbp = 121 AND dbp IS NULL AND temp IS NULL") == 1)
    }

    /// A repeated OBX-5 is two values for one observation: AE, nothing stored.
    @Test func aRepeatedValueIsRefused() throws {
        let server = try HL7IngestTests.server()
        let ack = try #require(try server.mllp().exchange(M.oru(id: "repeat-1", observations: [
            M.obx(1, M.spo2, "97", M.percent), M.obx(2, M.hr, "72~80", M.bpm),
        ])))
        #expect(ack.acknowledgement?.code == "AE")
        #expect(ack.errors.first?.location == "OBX^2^5" && ack.errors.first?.text.contains("repeats") == true, "\(ack.errors)")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
    }

    /// The ACK's text is ASCII unless the message declared UTF-8 (MSH-18),
    /// which the ACK then declares too: an 8859/1 engine must not show "Â°C".
    @Test(arguments: [("8859/1", false), ("", false), ("UNICODE UTF-8", true)])
    func theAcknowledgementsTextIsInTheMessagesCharacterSet(charset: String, unicode: Bool) throws {
        let server = try HL7IngestTests.server()
        let ack = try #require(try server.mllp().exchange(M.oru(id: "charset-1", observations: [M.obx(1, M.temp, "46", M.celsius)],
                                                                headerExtra: charset.isEmpty ? [:] : [18: charset])))
        #expect(ack.acknowledgement?.code == "AA" && ack.errors.first?.severity == "W", "\(ack.errors)")
        let text = ack.errors.first?.text ?? ""
        #expect(text.contains("46"), "\(text)")
        #expect(text.unicodeScalars.allSatisfy(\.isASCII) == !unicode, "\(text)")
        #expect(ack.header.field(18).text == (unicode ? "UNICODE UTF-8" : ""))
    }
}
