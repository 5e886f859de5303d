import PhysioHL7
import PhysioPlatform
import PhysioServer
import PhysioTestSupport
import Testing

/// Vendors' messages (Fixtures/hl7, with their sources) into a real server,
/// and messages a real HL7 implementation (hl7apy builds them, python-hl7
/// sends them over MLLP and parses the answers) rather than physio's own.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct HL7FixtureTests {
    static let fixtures = Shell.repositoryRoot + "/Tests/PhysioServerTests/Fixtures/hl7/"

    static func messages(_ name: String) throws -> [String] {
        let text = try Shell.output("cat '\(fixtures + name)'")
        // Several messages may follow one another; each starts with MSH.
        return text.components(separatedBy: "\rMSH|").enumerated().map { $0.offset == 0 ? $0.element : "MSH|" + $0.element }
    }

    @Test func geB40ResultMessage() throws {
        // GE's example names the bed (PV1-3) and sends no time zone.
        let server = try HL7IngestTests.server { hl7 in
            hl7.caseRule = HL7CaseRule(parsing: ["PV1-3"])!
            hl7.timeZone = HL7TimeZone(parsing: "UTC")!
        }
        let ack = try #require(try server.mllp().exchange(Self.messages("ge-b40-pcd01.hl7")[0]))
        #expect(ack.acknowledgement?.code == "AA", "\(ack.errors)")
        #expect(ack.acknowledgement?.controlID == "004097134535")
        // ECG heart rate over the line's pulse, the first of two equally ranked respiratory rates and temperatures.
        #expect(try server.database.count("""
            SELECT count(*) FROM vitals WHERE case_id = 'SURGERY-V2' AND ts = '2013-01-22T13:41:00Z'
              AND hr = 80 AND sbp = 112 AND dbp = 76 AND mbp = 95 AND spo2 = 100 AND rr = 18 AND temp = 37.1::real AND etco2 IS NULL
            """) == 1)
        let metrics = try server.client().send("GET", "/metrics", headers: [server.bearer("read")]).text
        #expect(metrics.contains(#"physio_hl7_observations_ignored_total{reason="no_value"} 7"#))
        #expect(metrics.contains(#"physio_hl7_observations_ignored_total{reason="unknown_code"} 1"#))   // the PVC rate
        #expect(metrics.contains(#"physio_hl7_observations_ignored_total{reason="superseded"} 3"#))
    }

    @Test func geB40WithoutAZoneConfiguredIsRefusedNamingOBR7() throws {
        let server = try HL7IngestTests.server { hl7 in hl7.caseRule = HL7CaseRule(parsing: ["PV1-3"])! }
        let ack = try #require(try server.mllp().exchange(Self.messages("ge-b40-pcd01.hl7")[0]))
        #expect(ack.acknowledgement?.code == "AE")
        #expect(ack.errors.first?.location == "OBR^1^7")
        #expect(ack.errors.first?.text.contains("--hl7-time-zone") == true)
    }

    @Test func philipsMDILCodes() throws {
        let server = try HL7IngestTests.server { hl7 in hl7.timeZone = HL7TimeZone(parsing: "Europe/Amsterdam")! }
        let ack = try #require(try server.mllp().exchange(Self.messages("philips-mdil.hl7")[0]))
        #expect(ack.acknowledgement?.code == "AA", "\(ack.errors)")
        // v2.4: the answer's version is the message's.
        #expect(ack.header.field(12).text == "2.4")
        // 09:59:58 in Amsterdam in November is 08:59:58 UTC; the SpO2 marked X is not stored.
        #expect(try server.database.count("""
            SELECT count(*) FROM vitals WHERE case_id = 'VN-5521' AND ts = '2026-11-24T08:59:58Z'
              AND hr = 74 AND spo2 IS NULL AND sbp = 121 AND dbp = 68 AND mbp = 86 AND rr = 14 AND abs(temp - 36.8) < 0.001
            """) == 1)
    }

    @Test func vitalRecorderTwoBedsOneAfterTheOther() throws {
        let server = try HL7IngestTests.server { hl7 in hl7.caseRule = HL7CaseRule(parsing: ["PV1-3=vr-"])! }
        let client = try server.mllp()
        let messages = try Self.messages("vital-recorder-two-beds.hl7")
        #expect(messages.count == 2)
        for message in messages { #expect(client.exchange(message)?.acknowledgement?.code == "AA") }
        #expect(try server.database.count("""
            SELECT count(*) FROM vitals WHERE case_id = 'vr-OR1' AND ts = '2026-11-24T01:00:00Z'
              AND hr = 66 AND spo2 = 99 AND sbp = 131 AND dbp = 64 AND mbp = 88 AND abs(etco2 - 33.75) < 0.01
            """) == 1)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'vr-OR2' AND hr = 91 AND spo2 IS NULL") == 1)
    }

    @Test(.enabled(if: PythonScript.isAvailable, "\(PythonScript.skipMessage)"))
    func messagesBuiltAndSentByPythonHL7Libraries() throws {
        let server = try HL7IngestTests.server()
        let output = try PythonScript.run(Shell.output("cat '\(Self.fixtures)hl7_client.py'"), arguments: ["127.0.0.1", String(server.hl7Port)])
        // One line per message: its control id and the acknowledgement's MSA-1, MSA-2, ERR-2.
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.contains("py-1 AA py-1 "), "\(output)")
        #expect(lines.contains("py-2 AA py-2 "), "\(output)")      // other delimiters, honoured
        #expect(lines.contains("py-3 AE py-3 OBX^1^5"), "\(output)")
        #expect(lines.contains("py-1 AA py-1 "), "\(output)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'py-case' AND ts = '2026-11-24T10:00:00Z' AND hr = 72 AND spo2 = 97") == 1)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'py-case' AND ts = '2026-11-24T10:00:01Z' AND hr = 73") == 1)
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 2)
    }
}
