import PhysioHL7
import PhysioPlatform
import PhysioServer
import PhysioTestSupport
import Testing

/// What published gateway material sends, in its own shapes (an outside
/// audit of 2026-12-07 sent the NIST PCD test tool's, Mindray's, Comen's and
/// Philips' sample messages as published): a UCUM unit with an annotation,
/// a monitor in demonstration mode, Philips' respiration numeric, one
/// faulty channel beside good ones, and a v2.2 export. Each failed before.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct HL7GatewayMaterialTests {
    typealias M = HL7Messages

    /// `{beat}/min` is UCUM's `/min` with an annotation (UCUM §6): the NIST
    /// gateway's pulse rate and the cuff beside it are stored, as FHIR stores
    /// them. The whole message was CE 103 before.
    @Test func aUCUMUnitWithAnAnnotationIsTheUnit() throws {
        let server = try HL7IngestTests.server()
        let ack = try #require(try server.mllp().exchange(M.oru(id: "ucum-1", observations: [
            M.obx(1, "150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "120", "mm[Hg]^mm[Hg]^UCUM", subID: "1.1.1.1"),
            M.obx(2, "149546^MDC_PULS_RATE_NON_INV^MDC", "63", "{beat}/min^{beat}/min^UCUM", subID: "1.1.1.4"),
            M.obx(3, "151562^MDC_RESP_RATE^MDC", "12", "{Breaths}/min^^UCUM"),
            M.obx(4, M.spo2, "0.97", "{fraction}^^UCUM"),
        ])))
        #expect(ack.acknowledgement?.code == "AA" && ack.errors.isEmpty, "\(ack.errors)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE sbp = 120 AND hr = 63 AND rr = 12 AND spo2 = 97") == 1)
        // An unclosed brace is no UCUM unit: refused, naming it.
        let broken = try #require(try server.mllp().exchange(M.oru(id: "ucum-2", time: "20261124100001+0000", observations: [
            M.obx(1, M.hr, "70", "{beat/min^^UCUM"),
        ])))
        #expect(broken.acknowledgement?.code == "AE" && broken.errors.first?.location == "OBX^1^6", "\(broken.errors)")
    }

    /// A monitor in demonstration mode flags every value `DEMO` in OBX-8
    /// (Mindray's VS900 sample): a simulation, not the patient. Named at
    /// OBX-8 and counted; a real value beside it is stored. Stored as the
    /// patient's vitals, without a word, before.
    @Test func valuesADeviceFlagsAsDemonstrationAreNotThePatients() throws {
        let server = try HL7IngestTests.server()
        let demo = { (number: Int, code: String, value: String, unit: String, flags: String) in
            M.segment("OBX", [1: String(number), 2: "NM", 3: code, 5: value, 6: unit, 8: flags, 11: "R"])
        }
        let ack = try #require(try server.mllp().exchange(M.oru(id: "demo-1", observations: [
            demo(1, M.spo2, "100", M.percent, "DEMO"),
            demo(2, "150301^MDC_PRESS_CUFF_SYS^MDC", "166", M.mmHg, "H~demo"),
            demo(3, M.hr, "71", M.bpm, "N"),
        ])))
        #expect(ack.acknowledgement?.code == "AA", "\(ack.errors)")
        let warnings = ack.warnings
        #expect(warnings.map(\.location) == ["OBX^1^8", "OBX^2^8"] && warnings.allSatisfy { $0.code == "103" }, "\(ack.errors)")
        #expect(warnings.first?.text.contains("demonstration") == true, "\(warnings)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 71 AND spo2 IS NULL AND sbp IS NULL") == 1)
        let metrics = try server.client().send("GET", "/metrics", headers: [server.bearer("read")]).text
        #expect(metrics.contains(#"physio_hl7_observations_ignored_total{reason="demonstration"} 2"#))
    }

    /// Philips' HL7 export codes its respiration numeric `0002-5000^Resp^MDIL`
    /// (Efficia and Information Center samples): the respiratory rate, ranked
    /// as impedance below a capnograph's. Named as unknown before.
    @Test func philipsRespirationNumericIsTheRespiratoryRate() throws {
        let server = try HL7IngestTests.server()
        let ack = try #require(try server.mllp().exchange(M.oru(id: "resp-1", observations: [
            M.obx(1, "0002-4182^HR^MDIL", "60", "0004-0aa0^bpm^MDIL"),
            M.obx(2, "0002-5000^Resp^MDIL", "20", "0004-0ae0^rpm^MDIL"),
        ])))
        #expect(ack.acknowledgement?.code == "AA" && ack.errors.isEmpty, "\(ack.errors)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 60 AND rr = 20") == 1)
        let ranked = try #require(try server.mllp().exchange(M.oru(id: "resp-2", time: "20261124100001+0000", observations: [
            M.obx(1, "0002-5000^Resp^MDIL", "22", "0004-0ae0^rpm^MDIL"),
            M.obx(2, "151594^MDC_CO2_RESP_RATE^MDC", "14", "/min"),
        ])))
        #expect(ranked.warnings.map(\.location) == ["OBX^1^5"], "\(ranked.errors)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE ts = '2026-11-24T10:00:01Z' AND rr = 14") == 1)
    }

    /// One faulty channel (a second temperature reading 384.5 °C, a decimal
    /// lost) beside good values: it is named (W 102) and the rest stored, as
    /// a negative "not measured" is. The whole message, and with it the
    /// patient's every vital for as long as the channel is faulty, was AE 102 before.
    @Test func anImplausibleValueIsNamedAndTheMessagesOthersStored() throws {
        let server = try HL7IngestTests.server()
        let ack = try #require(try server.mllp().exchange(M.oru(id: "range-1", observations: [
            M.obx(1, M.temp, "38.5", M.celsius, subID: "1.2.1.150344"),
            M.obx(2, M.temp, "384.5", M.celsius, subID: "1.2.2.150344"),
            M.obx(3, "150302^MDC_PRESS_CUFF_DIA^MDC", "100", M.mmHg),
            M.obx(4, M.hr, "400", M.bpm),
        ])))
        #expect(ack.acknowledgement?.code == "AA", "\(ack.errors)")
        let warnings = ack.warnings
        #expect(warnings.map(\.location) == ["OBX^2^5", "OBX^4^5"] && warnings.allSatisfy { $0.code == "102" }, "\(ack.errors)")
        #expect(warnings.first?.text.contains("plausible range") == true, "\(warnings)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE temp = 38.5::real AND dbp = 100 AND hr IS NULL") == 1)
        let metrics = try server.client().send("GET", "/metrics", headers: [server.bearer("read")]).text
        #expect(metrics.contains(#"physio_hl7_observations_ignored_total{reason="implausible"} 2"#))
        // Only implausible values: AA, nothing stored, each named.
        let none = try #require(try server.mllp().exchange(M.oru(id: "range-2", time: "20261124100001+0000", observations: [
            M.obx(1, M.spo2, "170", M.percent),
        ])))
        #expect(none.acknowledgement?.code == "AA" && none.warnings.map(\.location) == ["OBX^1^5"], "\(none.errors)")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 1)
    }

    /// HL7 v2.2, as Philips' Information Center sample is written (no OBX-14,
    /// OBR-7 the time, MDIL codes): stored. AR 203 before.
    @Test func aVersionTwoTwoExportIsRead() throws {
        let server = try HL7IngestTests.server()
        let ack = try #require(try server.mllp().exchange(M.oru(id: "v22-1", observations: [
            M.obx(1, "0002-4bb8^SpO2^MDIL", "95", "0004-0220^%^MDIL", status: "F"),
            M.obx(2, "0002-4a15^ABPs^MDIL", "120", "0004-0f20^mmHg^MDIL", status: "F"),
            M.obx(3, "0002-4a16^ABPd^MDIL", "70", "0004-0f20^mmHg^MDIL", status: "F"),
            M.obx(4, "0002-4a17^ABPm^MDIL", "91", "0004-0f20^mmHg^MDIL", status: "F"),
        ], version: "2.2")))
        #expect(ack.acknowledgement?.code == "AA" && ack.errors.isEmpty, "\(ack.errors)")
        #expect(ack.header.field(12).text == "2.2")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE spo2 = 95 AND sbp = 120 AND dbp = 70 AND mbp = 91") == 1)
    }
}
