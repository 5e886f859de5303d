import PhysioHL7
import PhysioPlatform
import PhysioServer
import PhysioTestSupport
import Testing

/// ORU^R01 over MLLP into a real server and PostgreSQL: acknowledged only
/// once committed, stored through the same path as HTTP ingest, refused
/// with AE or AR naming what was wrong, never storing an invalid value as
/// zero.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct HL7IngestTests {
    typealias M = HL7Messages

    static func server(_ configure: (inout HL7Configuration) -> Void = { _ in }) throws -> TestServer {
        try TestServer { configuration in
            var hl7 = HL7Configuration()
            hl7.listener.port = 0
            configure(&hl7)
            configuration.hl7 = hl7
        }
    }

    @Test func aMessageIsAcknowledgedAAOnceItsSamplesAreCommitted() throws {
        let server = try Self.server()
        let client = try server.mllp()
        let ack = try #require(client.exchange(M.oru(id: "msg-1", observations: [
            M.obx(1, M.hr, "72", M.bpm), M.obx(2, M.spo2, "97", M.percent),
            M.obx(3, M.nibpSys, "118", M.mmHg), M.obx(4, M.nibpDia, "61", M.mmHg),
        ])))
        #expect(ack.acknowledgement?.code == "AA")
        #expect(ack.acknowledgement?.controlID == "msg-1")
        #expect(ack.header.field(9).text == "ACK^R01^ACK")
        // Acknowledged means committed: the row is there the moment AA arrives, with its job queued.
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-1' AND ts = '2026-11-24T10:00:00Z' AND hr = 72 AND spo2 = 97 AND sbp = 118 AND dbp = 61 AND mbp IS NULL") == 1)
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs WHERE case_id = 'op-1'") == 1)
        #expect(try server.database.count("SELECT samples FROM cases WHERE case_id = 'op-1'") == 1)
    }

    /// A browser on an allowed host can POST to the HL7 port (fetch with a
    /// text body): the frame in the body must not be read as a message.
    @Test func anHTTPRequestCarryingAFrameIsClosedUnread() throws {
        let server = try Self.server()
        let socket = try RawSocket(port: server.hl7Port)
        let frame = MLLPFramer.frame(Array(M.oru(id: "xp-1", observations: [M.obx(1, M.hr, "72", M.bpm)]).utf8))
        socket.send(Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: \(frame.count)\r\n\r\n".utf8) + frame)
        #expect(socket.readUntilClosed(seconds: 5).isEmpty, "closed without an answer")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
        // A monitor on the same port is served as before.
        #expect(try server.mllp().exchange(M.oru(id: "msg-2", observations: [M.obx(1, M.hr, "72", M.bpm)]))?.acknowledgement?.code == "AA")
    }

    @Test func invalidValuesAreLeftOutNeverZeroAndUnknownCodesAreCounted() throws {
        let server = try Self.server()
        let ack = try #require(try server.mllp().exchange(M.oru(id: "msg-2", observations: [
            M.obx(1, "69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC", "", "", status: "X"),   // a device header
            M.obx(2, M.hr, "", M.bpm, status: "X"),                                          // no reading
            M.obx(3, M.spo2, "0", M.percent, status: "X"),                                   // X: not obtainable, whatever OBX-5 says
            M.obx(4, M.nibpSys, "\"\"", M.mmHg),                                             // HL7's null
            M.obx(5, "148066^MDC_ECG_V_P_C_RATE^MDC", "0", M.bpm),                           // PVC rate: not a vital physio stores
            M.obx(6, M.temp, "37.1", M.celsius),
        ])))
        #expect(ack.acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-1' AND temp = 37.1::real AND hr IS NULL AND spo2 IS NULL AND sbp IS NULL") == 1)
        let metrics = try server.client().send("GET", "/metrics", headers: [server.bearer("read")]).text
        #expect(metrics.contains(#"physio_hl7_observations_ignored_total{reason="unknown_code"} 1"#))
        #expect(metrics.contains(#"physio_hl7_observations_ignored_total{reason="invalid"} 3"#))
        #expect(metrics.contains(#"physio_hl7_observations_ignored_total{reason="no_value"} 1"#))
        #expect(metrics.contains(#"physio_hl7_acks_total{code="AA"} 1"#))
        #expect(metrics.contains(#"physio_hl7_messages_total{result="stored"} 1"#))
    }

    @Test func anUnusableMessageIsAnsweredAENamingTheFieldAndStoresNothing() throws {
        let server = try Self.server()
        let client = try server.mllp()
        let cases: [(String, String, String)] = [
            (M.oru(id: "e1", observations: [M.obx(1, M.hr, "72", M.bpm), M.obx(2, M.spo2, "9x7", M.percent)]), "OBX^2^5", "102"),
            (M.oru(id: "e3", observations: [M.obx(1, M.spo2, "0.97", "262656^MDC_DIM_DIMLESS^MDC"), M.obx(2, M.hr, "70", "mL")]), "OBX^2^6", "103"),
            (M.oru(id: "e4", visit: "", observations: [M.obx(1, M.hr, "72", M.bpm)]), "PV1^1^19", "101"),  // no visit number
            (M.oru(id: "e5", visit: "op 1", observations: [M.obx(1, M.hr, "72", M.bpm)]), "PV1^1^19", "102"),
            (M.oru(id: "e6", time: "", observations: [M.obx(1, M.hr, "72", M.bpm)]), "OBX^1^14", "101"),   // no time at all
            (M.oru(id: "e7", time: "20261124", observations: [M.obx(1, M.hr, "72", M.bpm)]), "OBR^1^7", "102"),
            (M.oru(id: "e8", time: "20261124100000", observations: [M.obx(1, M.hr, "72", M.bpm)], headerTime: "20261124100000"), "OBR^1^7", "102"),
            (M.oru(id: "e9", observations: [M.obx(1, M.hr, "72", M.bpm, type: "ST")]), "OBX^1^2", "102"),
            // No zone is 15 hours from UTC (FHIR refuses +15:00 too).
            (M.oru(id: "e10", observations: [M.obx(1, M.hr, "72", M.bpm, time: "20261124100000+1500")]), "OBX^1^14", "102"),
        ]
        for (message, location, code) in cases {
            let ack = try #require(client.exchange(message))
            #expect(ack.acknowledgement?.code == "AE", "\(location): \(ack.errors)")
            #expect(ack.errors.first?.location == location, "\(ack.errors)")
            #expect(ack.errors.first?.code == code, "\(ack.errors)")
            #expect(ack.errors.first?.severity == "E")
            #expect(ack.errors.first?.text.isEmpty == false)
        }
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs") == 0)
    }

    @Test func unsupportedTypesVersionsAndUnreadableMessagesAreRejectedAR() throws {
        let server = try Self.server()
        let client = try server.mllp()
        let adt = M.header(id: "r1", type: "ADT^A01^ADT_A01") + "\rPID|||1"
        let rejections: [(String, String, String)] = [
            (adt, "MSH^1^9", "200"),
            (M.oru(id: "r2", observations: [M.obx(1, M.hr, "72", M.bpm)], version: "2.1"), "MSH^1^12", "203"),
            (M.oru(id: "r3", observations: [M.obx(1, M.hr, "72", M.bpm)], headerExtra: [11: "T"]), "MSH^1^11", "202"),
        ]
        for (message, location, code) in rejections {
            let ack = try #require(client.exchange(message))
            #expect(ack.acknowledgement?.code == "AR", "\(ack.errors)")
            #expect(ack.errors.first?.location == location && ack.errors.first?.code == code, "\(ack.errors)")
        }
        // Not HL7 at all: rejected with the standard delimiters, the connection kept.
        let garbage = try #require(client.exchange("GET / HTTP/1.1"))
        #expect(garbage.acknowledgement?.code == "AR")
        #expect(client.exchange(M.oru(id: "r4", observations: [M.obx(1, M.hr, "72", M.bpm)]))?.acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 1)
    }

    @Test func aResentMessageIsAcknowledgedAAAndStoredOnce() throws {
        let server = try Self.server()
        let message = M.oru(id: "same-1", observations: [M.obx(1, M.hr, "72", M.bpm)])
        #expect(try server.mllp().exchange(message)?.acknowledgement?.code == "AA")
        // The sender missed the ACK and resends on a new connection.
        #expect(try server.mllp().exchange(message)?.acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 1)
        #expect(try server.database.count("SELECT count(*) FROM inference_jobs") == 1)
        // The same control id with other content (a sender whose counter restarted) is a new message.
        let reused = M.oru(id: "same-1", time: "20261124100001+0000", observations: [M.obx(1, M.hr, "73", M.bpm)])
        #expect(try server.mllp().exchange(reused)?.acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 2)
        let metrics = try server.client().send("GET", "/metrics", headers: [server.bearer("read")]).text
        #expect(metrics.contains(#"physio_hl7_messages_total{result="resent"} 1"#))
        #expect(metrics.contains(#"physio_hl7_control_ids_reused_total 1"#))
        #expect(metrics.contains(#"physio_ingest_samples_total{result="accepted"} 2"#))
    }

    /// The same frame twice in one write (an outside audit's gateway): the
    /// copy may come before its original is stored, and is then written
    /// again and found stored by the merge, counted `stored` (a duplicate
    /// sample) rather than `resent`. Either way: answered AA, stored once.
    @Test func aCopyPipelinedBehindItsOriginalIsStoredOnce() throws {
        let server = try Self.server()
        let client = try server.mllp()
        let message = M.oru(id: "twice-1", observations: [M.obx(1, M.hr, "72", M.bpm)])
        client.send(message)
        client.send(message)
        let codes = [client.receive(), client.receive()].map { $0?.acknowledgement?.code }
        #expect(codes == ["AA", "AA"])
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 72") == 1)
        let resent = try server.metric(#"physio_hl7_messages_total{result="resent"}"#) ?? -1
        let duplicate = try server.metric(#"physio_ingest_samples_total{result="duplicate"}"#) ?? -1
        let accepted = try server.metric(#"physio_ingest_samples_total{result="accepted"}"#)
        #expect(resent + duplicate == 1 && accepted == 1, "resent \(resent), duplicate \(duplicate), accepted \(accepted ?? -1)")
    }

    @Test func pipelinedMessagesAreAcknowledgedInOrder() throws {
        let server = try Self.server()
        let client = try server.mllp()
        var ids: [String] = []
        for index in 0..<200 {
            let id = "p-\(index)"
            ids.append(id)
            // Errors and accepts mixed: an AE is ready at once, an AA after its commit.
            let value = index % 7 == 3 ? "abc" : String(60 + index % 50)
            let second = String(format2(index))
            client.send(M.oru(id: id, visit: "case-\(index % 5)", time: "20261124100\(second)+0000", observations: [M.obx(1, M.hr, value, M.bpm)]))
        }
        var answered: [String] = []
        var codes: [String] = []
        while answered.count < ids.count, let ack = client.receive() {
            answered.append(ack.acknowledgement?.controlID ?? "")
            codes.append(ack.acknowledgement?.code ?? "")
        }
        #expect(answered == ids)
        #expect(codes.filter { $0 == "AE" }.count == (0..<200).filter { $0 % 7 == 3 }.count)
        #expect(try server.database.count("SELECT count(*) FROM vitals") == (0..<200).filter { $0 % 7 != 3 }.count)
    }

    /// Three digits of minutes-and-seconds after 10:0: "000" … "359".
    func format2(_ index: Int) -> String {
        let minute = index / 60, second = index % 60
        return "\(minute)\(second < 10 ? "0" : "")\(second)"
    }

    /// "-0" is zero: stored without its sign (an export printed "-0"), and +14:00 is a real zone.
    @Test func aNegativeZeroIsStoredAsZero() throws {
        let server = try Self.server()
        #expect(try server.mllp().exchange(M.oru(id: "z1", observations: [M.obx(1, M.hr, "-0", M.bpm, time: "20261124100000+1400")]))?
            .acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 0 AND hr::text = '0' AND ts = '2026-11-23T20:00:00Z'") == 1)
    }

    @Test func aValueThatDiffersFromTheStoredOneIsKeptAndNamedInAWarning() throws {
        let server = try Self.server()
        let client = try server.mllp()
        #expect(client.exchange(M.oru(id: "c1", observations: [M.obx(1, M.hr, "72", M.bpm)]))?.acknowledgement?.code == "AA")
        // Another device's SpO2 for the same instant fills the row; its HR differs.
        let ack = try #require(client.exchange(M.oru(id: "c2", observations: [M.obx(1, M.spo2, "95", M.percent), M.obx(2, M.hr, "80", M.bpm)])))
        #expect(ack.acknowledgement?.code == "AA")
        #expect(ack.errors.count == 1)
        #expect(ack.errors.first?.location == "OBX^2^5" && ack.errors.first?.severity == "W", "\(ack.errors)")
        #expect(ack.errors.first?.text.contains("80.0 /min differs from the value stored first") == true, "\(ack.errors)")
        #expect(ack.errors.first?.text.contains("72") == false, "the port takes no token: no stored value is read back")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 72 AND spo2 = 95") == 1)
    }

    @Test func unitsTimesAndCaseRulesAsConfigured() throws {
        let server = try Self.server { hl7 in
            hl7.caseRule = HL7CaseRule(parsing: ["PV1-19", "PV1-3=bed-"])!
            hl7.timeZone = HL7TimeZone(parsing: "Europe/Berlin")!
        }
        let client = try server.mllp()
        // kPa and °F converted; no zone anywhere: Berlin's winter time (+01:00).
        #expect(client.exchange(M.oru(id: "u1", time: "20261124110000", observations: [
            M.obx(1, M.nibpSys, "16", M.kPa), M.obx(2, M.temp, "98.6", M.fahrenheit),
        ], headerTime: "20261124110000"))?.acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-1' AND ts = '2026-11-24T10:00:00Z' AND abs(sbp - 120.0101) < 0.001 AND abs(temp - 37) < 0.0001") == 1)
        // MSH-7's offset applies to a time without one; OBX-14 is the sample's own time.
        #expect(client.exchange(M.oru(id: "u2", time: "20261124120000", observations: [
            M.obx(1, M.hr, "70", M.bpm, time: "20261124120005"), M.obx(2, M.hr, "71", M.bpm, time: "20261124110006+0000"),
        ], headerTime: "20261124120000+0200"))?.acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-1' AND ((ts = '2026-11-24T10:00:05Z' AND hr = 70) OR (ts = '2026-11-24T11:00:06Z' AND hr = 71))") == 2)
        // No visit number: the bed, with its prefix (PV1-3 is OR3^^2).
        #expect(client.exchange(M.oru(id: "u3", visit: "", observations: [M.obx(1, M.hr, "66", M.bpm)]))?.acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'bed-OR3-2' AND hr = 66") == 1)
    }

    /// Where Berlin's clocks change, a time without an offset is read as
    /// Python's zoneinfo reads it, and the acknowledgement says how: the
    /// skipped spring hour with the offset before the change, as PostgreSQL
    /// too (until 2026-12-06 it landed an hour early, on the instant of
    /// 01:30), the repeated autumn hour as the earlier instant.
    @Test func timesWhereTheZonesClocksChangeAreReadAsZoneinfoReadsThemAndNamed() throws {
        let server = try Self.server { hl7 in hl7.timeZone = HL7TimeZone(parsing: "Europe/Berlin")! }
        let client = try server.mllp()
        for (id, local, hr, words) in [("d1", "20260329013000", "71", nil), ("d2", "20260329023000", "72", "skips"),
                                       ("d3", "20260329040000", "73", nil), ("d4", "20261025023000", "74", "repeats")] {
            let ack = try #require(client.exchange(M.oru(id: id, time: local, observations: [M.obx(1, M.hr, hr, M.bpm, time: local)],
                                                         headerTime: local)))
            #expect(ack.acknowledgement?.code == "AA", "\(id): \(ack.errors)")
            if let words {
                #expect(ack.errors.count == 1 && ack.errors.first?.location == "OBX^1^14" && ack.errors.first?.severity == "W", "\(id): \(ack.errors)")
                #expect(ack.errors.first?.text.contains(words) == true, "\(id): \(ack.errors)")
            } else {
                #expect(ack.errors.isEmpty, "\(id): \(ack.errors)")
            }
            let text = "\(local.prefix(4))-\(local.dropFirst(4).prefix(2))-\(local.dropFirst(6).prefix(2)) \(local.dropFirst(8).prefix(2)):\(local.dropFirst(10).prefix(2))"
            // PostgreSQL takes the later of the repeated hour's instants; physio, as Python's zoneinfo, the earlier.
            let expected = id == "d4" ? "timestamptz '2026-10-25T00:30:00Z'" : "timestamp '\(text)' AT TIME ZONE 'Europe/Berlin'"
            #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = \(hr) AND ts = \(expected)") == 1, "\(id) stored at \(expected)")
        }
        #expect(try server.database.count("SELECT count(DISTINCT ts) FROM vitals") == 4)
        // Named once per instant, not once per value.
        let two = try #require(client.exchange(M.oru(id: "d5", time: "20260329024500", observations: [
            M.obx(1, M.hr, "75", M.bpm, time: "20260329024500"), M.obx(2, M.spo2, "97", M.percent, time: "20260329024500"),
        ], headerTime: "20260329024500")))
        #expect(two.acknowledgement?.code == "AA" && two.errors.count == 1, "\(two.errors)")
    }

    @Test func theHigherRankedSourceOfAVitalWinsWithinAMessage() throws {
        let server = try Self.server()
        #expect(try server.mllp().exchange(M.oru(id: "k1", observations: [
            M.obx(1, M.nibpSys, "110", M.mmHg), M.obx(2, M.artSys, "123", M.mmHg),            // the arterial line over the cuff
            M.obx(3, "149530^MDC_PULS_OXIM_PULS_RATE^MDC", "81", M.bpm), M.obx(4, M.hr, "80", M.bpm),  // ECG over pleth
            M.obx(5, M.temp, "37.1", M.celsius, subID: "1.26.1.1"), M.obx(6, M.temp, "36.5", M.celsius, subID: "1.26.1.2"),  // first of two
        ]))?.acknowledgement?.code == "AA")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE sbp = 123 AND hr = 80 AND temp = 37.1::real") == 1)
    }
}
