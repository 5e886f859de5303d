import PhysioClient
import PhysioHL7
import PhysioPlatform
import PhysioServer
import PhysioTestSupport
import Testing

/// A gateway forwarding each device's observations with that device's own
/// time (an outside audit of 2026-12-07): the ECG's heart rate at .05 s and
/// the oximeter's pulse rate at .45 s of every second; the capnograph's
/// respiratory rate beside the ECG module's impedance rate. The lower-ranked
/// source is named and not stored while the better one was stored for the
/// case within 30 s, so the column is not an alternation of two sources
/// (which hid a fast atrial fibrillation as a diathermy zigzag, and an
/// obstruction's apnoea behind the chest's impedance rate). Each failed before.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct SourcesAcrossInstantsTests {
    typealias M = HL7Messages

    @Test func aLowerRankedSourceInItsOwnMessagesIsNamedWhileTheBetterOneSends() throws {
        let server = try HL7IngestTests.server()
        let client = try server.mllp()
        let ecg = { (id: String, second: Int, rate: String) in
            M.oru(id: id, time: "2026112410\(String(format2(second / 60)))\(String(format2(second % 60))).05+0000",
                  observations: [M.obx(1, M.hr, rate, M.bpm)])
        }
        let oximeter = { (id: String, second: Int, saturation: String, pulse: String) in
            M.oru(id: id, time: "2026112410\(String(format2(second / 60)))\(String(format2(second % 60))).45+0000", observations: [
                M.obx(1, M.spo2, saturation, M.percent), M.obx(2, "149530^MDC_PULS_OXIM_PULS_RATE^MDC", pulse, M.bpm),
            ])
        }
        #expect(try client.exchange(ecg("e-0", 0, "160"))?.acknowledgement?.code == "AA")
        let first = try #require(try client.exchange(oximeter("o-0", 0, "98", "130")))
        #expect(first.acknowledgement?.code == "AA")
        #expect(first.warnings.map(\.location) == ["OBX^2^5"] && first.warnings.first?.code == "205", "\(first.errors)")
        #expect(first.warnings.first?.text.contains("ranks higher") == true, "\(first.errors)")
        #expect(try client.exchange(ecg("e-1", 1, "161"))?.acknowledgement?.code == "AA")
        // Only the pulse rate: named, and no row for its instant.
        let alone = try #require(try client.exchange(M.oru(id: "o-1", time: "20261124100001.45+0000", observations: [
            M.obx(1, "149530^MDC_PULS_OXIM_PULS_RATE^MDC", "131", M.bpm)])))
        #expect(alone.acknowledgement?.code == "AA" && alone.warnings.count == 1, "\(alone.errors)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-1' AND hr IS NOT NULL") == 2)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-1' AND hr < 140") == 0)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-1' AND spo2 = 98 AND hr IS NULL") == 1)
        // Leads off: 30 s after the ECG's last value the pulse rate is the heart rate again.
        #expect(try client.exchange(oximeter("o-31", 32, "97", "128"))?.errors.isEmpty == true)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'op-1' AND hr = 128") == 1)
        // Another case is its own.
        let other = M.oru(id: "o-x", visit: "op-2", time: "20261124100000.45+0000", observations: [
            M.obx(1, "149530^MDC_PULS_OXIM_PULS_RATE^MDC", "130", M.bpm)])
        #expect(try client.exchange(other)?.errors.isEmpty == true)
        // One message holding both devices' instants (OBX-14 each): the same.
        let both = try #require(try client.exchange(M.oru(id: "both-1", visit: "op-3", observations: [
            M.obx(1, M.hr, "160", M.bpm, time: "20261124100005.05+0000"),
            M.obx(2, "149530^MDC_PULS_OXIM_PULS_RATE^MDC", "130", M.bpm, time: "20261124100005.45+0000"),
        ])))
        #expect(both.warnings.map(\.location) == ["OBX^2^5"], "\(both.errors)")
        let metrics = try server.client().send("GET", "/metrics", headers: [server.bearer("read")]).text
        #expect(metrics.contains(#"physio_hl7_observations_ignored_total{reason="outranked"} 3"#))
    }

    /// The capnograph (rank 3) reads an obstruction's apnoea, RR 0, every 10 s;
    /// the ECG module's impedance rate (rank 1) sees the chest still moving.
    @Test func theCapnographsApneaIsNotHiddenByTheImpedanceRate() throws {
        let server = try HL7IngestTests.server()
        let client = try server.mllp()
        for second in stride(from: 0, to: 30, by: 10) {
            let capnograph = M.oru(id: "c-\(second)", time: "202611241000\(String(format2(second))).70+0000", observations: [
                M.obx(1, "151594^MDC_CO2_RESP_RATE^MDC", "0", "/min")])
            #expect(try client.exchange(capnograph)?.acknowledgement?.code == "AA")
            for offset in 1..<10 {
                let impedance = M.oru(id: "i-\(second + offset)", time: "202611241000\(String(format2(second + offset))).05+0000", observations: [
                    M.obx(1, "151578^MDC_TTHOR_RESP_RATE^MDC", "24", "/min")])
                #expect(try client.exchange(impedance)?.acknowledgement?.code == "AA")
            }
        }
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE rr = 0") == 3)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE rr > 0") == 0)
    }

    /// FHIR the same: the oximeter's heart rate (LOINC 8889-8) 0.4 s after a
    /// heart rate (8867-4), in another Bundle or the same one, is answered
    /// with a warning at its value and not stored.
    @Test func aFHIRPulseRateBesideAHeartRateIsNamedAndNotStored() throws {
        let server = try TestServer()
        func post(_ entries: [String]) throws -> HTTPClient.Response {
            try server.client().send("POST", "/fhir", headers: [server.bearer("ingest"), ("Content-Type", "application/fhir+json")],
                                     body: Array(FHIRTests.bundle("batch", entries).utf8))
        }
        #expect(try post([FHIRTests.observation("8867-4", value: 160, unit: "/min", time: "2026-11-24T10:00:00.05Z")]).status == 200)
        let response = try post([
            FHIRTests.observation("8889-8", value: 130, unit: "/min", time: "2026-11-24T10:00:00.45Z"),
            FHIRTests.observation("59408-5", value: 98, unit: "%", time: "2026-11-24T10:00:00.45Z"),
        ])
        #expect(response.status == 200, "\(response.text)")
        #expect(response.withJSON { $0["entry"]?[0]?["response"]?["status"]?.string } == "200 OK", "\(response.text)")
        #expect(response.withJSON { $0["entry"]?[0]?["response"]?["outcome"]?["issue"]?[0]?["expression"]?[0]?.string }
                == "Bundle.entry[0].resource.valueQuantity.value", "\(response.text)")
        #expect(response.withJSON { $0["entry"]?[0]?["response"]?["outcome"]?["issue"]?[0]?["diagnostics"]?.string }?.contains("ranks higher") == true)
        #expect(response.withJSON { $0["entry"]?[1]?["response"]?["status"]?.string } == "201 Created", "\(response.text)")
        // Within one Bundle, across its instants.
        let both = try post([FHIRTests.observation("8867-4", value: 161, unit: "/min", time: "2026-11-24T10:00:01.05Z"),
                             FHIRTests.observation("8889-8", value: 131, unit: "/min", time: "2026-11-24T10:00:01.45Z")])
        #expect(both.withJSON { $0["entry"]?[1]?["response"]?["status"]?.string } == "200 OK", "\(both.text)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr < 140") == 0)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr >= 160") == 2)
    }
}

private func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
