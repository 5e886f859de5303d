import PhysioHL7
import PhysioPlatform
import PhysioServer
import PhysioTestSupport
import Testing

/// What real monitors send that a PCD-01 example does not: a cuff's pressures
/// under MDC_PRESS_CUFF_*, "not measured" as a negative number beside real
/// values, and (a sender's error) two messages in one MLLP frame.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct HL7DeviceHabitsTests {
    typealias M = HL7Messages

    /// As a monitor vendor's ORU^R01 example sends it: NIBP as 150301–150303,
    /// SpO2 not measured yet (−999), temperature −99.9 beside a real one,
    /// MDC spelled as some gateways spell it. Stored: HR, the cuff, RR and
    /// the real temperature; the sentinels left out and counted, the message AA.
    @Test func aCuffsPressuresAndNotMeasuredSentinelsAreReadAsTheMonitorMeansThem() throws {
        let server = try HL7IngestTests.server()
        let ack = try #require(try server.mllp().exchange(M.oru(id: "dev-1", observations: [
            M.obx(1, "150301^MDC_PRESS_CUFF_SYS^MDC", "75", M.mmHg), M.obx(2, "150302^MDC_PRESS_CUFF_DIA^MDC", "45", M.mmHg),
            M.obx(3, "150303^MDC_PRESS_CUFF_MEAN^MDC", "55", M.mmHg), M.obx(4, M.spo2, "-999", M.percent),
            M.obx(5, M.hr, "72", M.bpm), M.obx(6, M.temp, "-99.9", M.celsius),
            M.obx(7, "151562^MDC_RESP_RATE^ISO11073-10101", "14", "/min"), M.obx(8, "150344^MDC_TEMP^99MDC", "36.5", M.celsius),
        ])))
        #expect(ack.acknowledgement?.code == "AA", "\(ack.errors)")
        #expect(try server.database.count("""
            SELECT count(*) FROM vitals WHERE case_id = 'op-1'
            AND sbp = 75 AND dbp = 45 AND mbp = 55 AND hr = 72 AND spo2 IS NULL AND rr = 14 AND temp = 36.5
            """) == 1)
        let metrics = try server.client().send("GET", "/metrics", headers: [server.bearer("read")]).text
        #expect(metrics.contains(#"physio_hl7_observations_ignored_total{reason="sentinel"} 2"#))
        #expect(metrics.contains(#"physio_hl7_observations_ignored_total{reason="unknown_code"} 0"#))
    }

    /// HL7's batch protocol in one frame (FHS, BHS, messages, BTS, FTS): AR
    /// saying so, in the first message's terms (MSA-2 its control id, its
    /// delimiters and version), nothing stored; until 2026-12-06 "a message
    /// starts with an MSH segment" with an empty MSA-2.
    @Test func aBatchInOneFrameIsRejectedSayingSo() throws {
        let server = try HL7IngestTests.server()
        let messages = [M.oru(id: "batch-1", observations: [M.obx(1, M.hr, "70", M.bpm)]),
                        M.oru(id: "batch-2", time: "20261124100001+0000", observations: [M.obx(1, M.hr, "71", M.bpm)])]
        let batch = (["FHS|^~\\&|MON|OR|physio|HOSP|20261124100000+0000", "BHS|^~\\&|MON|OR|physio|HOSP|20261124100000+0000"]
                     + messages + ["BTS|2", "FTS|1"]).joined(separator: "\r")
        let ack = try #require(try server.mllp().exchange(batch))
        #expect(ack.acknowledgement?.code == "AR" && ack.acknowledgement?.controlID == "batch-1", "\(String(describing: ack.acknowledgement))")
        #expect(ack.errors.first?.location == "FHS^1" && ack.errors.first?.code == "200", "\(ack.errors)")
        #expect(ack.errors.first?.text.contains("batch") == true && ack.header.field(12).text == "2.6", "\(ack.errors)")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
    }

    /// A second MSH in the frame is a second message this ACK cannot answer
    /// (and whose times would read the first header's offset): AR, nothing stored.
    @Test func twoMessagesInOneFrameAreRejected() throws {
        let server = try HL7IngestTests.server()
        let first = M.oru(id: "two-1", observations: [M.obx(1, M.hr, "72", M.bpm)])
        let second = M.oru(id: "two-2", visit: "op-2", time: "20261124110000", observations: [M.obx(1, M.hr, "88", M.bpm)],
                           headerTime: "20261124110000+0100")
        let ack = try #require(try server.mllp().exchange(first + "\r" + second))
        #expect(ack.acknowledgement?.code == "AR", "\(ack.errors)")
        #expect(ack.errors.first?.location == "MSH^2" && ack.errors.first?.code == "100", "\(ack.errors)")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
        // Each in its own frame: both stored, each at its own header's offset.
        #expect(try server.mllp().exchange(first)?.acknowledgement?.code == "AA")
        #expect(try server.mllp().exchange(second)?.acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-2' AND ts = '2026-11-24T10:00:00Z' AND hr = 88") == 1)
    }
}
