import PhysioClient
import PhysioCore
import PhysioPlatform
import PhysioServer
import PhysioTestSupport
import Testing

/// `physio hl7 encode` and `physio hl7 send`, the binary as an operator
/// runs it, against a live server: a recorded case goes in over MLLP with
/// its values and times exact, a resent file is stored once, and anything
/// not answered AA is counted, described and fails the run.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct HL7SendTests {
    static func directory() throws -> String {
        String(try Shell.output("mktemp -d /tmp/physio-hl7send.XXXXXX").filter { $0 != "\n" })
    }

    /// The command's output (standard output and error) and its exit status.
    static func physio(_ arguments: String) throws -> (output: String, status: Int) {
        let output = try Shell.output("'\(PhysioProcess.binary)' \(arguments) 2>&1; echo \"exit=$?\"")
        let lines = output.split(separator: "\n").map(String.init)
        let status = Int(lines.last?.dropFirst(5) ?? "") ?? -1
        return (lines.dropLast().joined(separator: "\n"), status)
    }

    @Test func aRecordedCaseGoesInExactlyAndASecondSendStoresNothingNew() throws {
        let server = try HL7IngestTests.server()
        let dir = try Self.directory()
        defer { _ = try? Shell.output("rm -rf '\(dir)'") }
        _ = try Shell.output("""
            printf 'case_id,t_seconds,hr,sbp,dbp,mbp,spo2,rr,etco2,temp\\ngw-1,0,72,118,61,80,97,14,35,36.6\\ngw-1,1,73,,,,96.5,,,\\ngw-1,2.5,,120,62,81,,15,34,36.7\\n' > '\(dir)/gw-1.csv'
            """)
        let encoded = try Self.physio("hl7 encode '\(dir)/gw-1.csv' --out '\(dir)/gw-1.hl7' --start 2026-11-24T10:00:00.123456Z")
        #expect(encoded.status == 0, "\(encoded.output)")

        let sent = try Self.physio("hl7 send '\(dir)' --port \(server.hl7Port)")
        #expect(sent.status == 0, "\(sent.output)")
        #expect(sent.output.split(separator: "\n").contains("AA\t3"), "\(sent.output)")
        let db = server.database
        #expect(try db.count("SELECT count(*) FROM vitals WHERE case_id = 'gw-1'") == 3)
        #expect(try db.count("""
            SELECT count(*) FROM vitals WHERE case_id = 'gw-1' AND ts = '2026-11-24T10:00:00.123456Z'
              AND hr = 72 AND sbp = 118 AND dbp = 61 AND mbp = 80 AND spo2 = 97 AND rr = 14 AND etco2 = 35 AND abs(temp - 36.6) < 0.001
            """) == 1)
        #expect(try db.count("""
            SELECT count(*) FROM vitals WHERE case_id = 'gw-1' AND ts = '2026-11-24T10:00:01.123456Z'
              AND hr = 73 AND abs(spo2 - 96.5) < 0.001 AND sbp IS NULL AND temp IS NULL
            """) == 1)
        #expect(try db.count("SELECT count(*) FROM vitals WHERE case_id = 'gw-1' AND ts = '2026-11-24T10:00:02.623456Z' AND hr IS NULL AND rr = 15") == 1)

        let again = try Self.physio("hl7 send '\(dir)/gw-1.hl7' --port \(server.hl7Port)")
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.split(separator: "\n").contains("AA\t3"), "\(again.output)")
        #expect(try db.count("SELECT count(*) FROM vitals WHERE case_id = 'gw-1'") == 3)
        #expect(try db.count("SELECT samples FROM cases WHERE case_id = 'gw-1'") == 3)
    }

    /// What `physio loadgen --hl7-port` sends: several instants in one
    /// message, an OBR each, with a second device's SpO2 for an earlier one.
    @Test func aMessageOfSeveralInstantsStoresEachAtItsTime() throws {
        let server = try HL7IngestTests.server()
        let t0: Int64 = 1_795_000_000_123_456
        let message = ObservationReportWriter.message(sender: "test", controlID: "multi-1", caseID: "gw-2", instants: [
            (t0, [(.hr, 70), (.sbp, 121), (.dbp, 60)]),
            (t0 + 1_000_001, [(.hr, 71), (.spo2, 98)]),
            (t0 - 1_000_000, [(.spo2, 85)]),
        ])
        let ack = try #require(try server.mllp().exchange(String(decoding: message, as: UTF8.self)))
        #expect(ack.acknowledgement?.code == "AA", "\(ack.errors)")
        let db = server.database
        #expect(try db.count("SELECT count(*) FROM vitals WHERE case_id = 'gw-2'") == 3)
        #expect(try db.count("SELECT count(*) FROM vitals WHERE case_id = 'gw-2' AND ts = '2026-11-18T11:06:40.123456Z' AND hr = 70 AND sbp = 121 AND dbp = 60 AND spo2 IS NULL") == 1)
        #expect(try db.count("SELECT count(*) FROM vitals WHERE case_id = 'gw-2' AND ts = '2026-11-18T11:06:41.123457Z' AND hr = 71 AND spo2 = 98") == 1)
        #expect(try db.count("SELECT count(*) FROM vitals WHERE case_id = 'gw-2' AND ts = '2026-11-18T11:06:39.123456Z' AND spo2 = 85 AND hr IS NULL") == 1)
    }

    @Test func answersOtherThanAAAreCountedDescribedAndFailTheRun() throws {
        let server = try HL7IngestTests.server()
        let dir = try Self.directory()
        defer { _ = try? Shell.output("rm -rf '\(dir)'") }
        let messages = [
            HL7Messages.oru(id: "ok-1", observations: [HL7Messages.obx(1, HL7Messages.hr, "70", HL7Messages.bpm)]),
            HL7Messages.oru(id: "no-visit", visit: "", observations: [HL7Messages.obx(1, HL7Messages.hr, "71", HL7Messages.bpm)]),
            HL7Messages.oru(id: "adt", observations: [], headerExtra: [9: "ADT^A01^ADT_A01"]),
        ]
        // One message a line block, LF line ends, as an editor leaves them.
        let file = messages.map { $0.split(separator: "\r").joined(separator: "\n") }.joined(separator: "\n\n")
        _ = try Shell.output("printf '%s\\n' '\(file)' > '\(dir)/mixed.hl7'")

        let sent = try Self.physio("hl7 send '\(dir)/mixed.hl7' --port \(server.hl7Port)")
        #expect(sent.status == 1, "\(sent.output)")
        let lines = sent.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("AA\t1") && lines.contains("AE\t1") && lines.contains("AR\t1"), "\(sent.output)")
        #expect(sent.output.contains("no-visit") && sent.output.contains("PV1^1^19"), "the AE is described: \(sent.output)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 70") == 1)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE hr = 71") == 0)
    }

    @Test func aServerThatIsNotThereFailsTheRunWithoutAnAnswer() throws {
        let dir = try Self.directory()
        defer { _ = try? Shell.output("rm -rf '\(dir)'") }
        let message = HL7Messages.oru(id: "lonely", observations: [HL7Messages.obx(1, HL7Messages.hr, "70", HL7Messages.bpm)])
        _ = try Shell.output("printf '%s\\n' '\(message.split(separator: "\r").joined(separator: "\n"))' > '\(dir)/one.hl7'")
        let port = String(try Shell.output(". '\(Shell.repositoryRoot)/scripts/lib/system.sh' && free_port").filter(\.isNumber))
        let sent = try Self.physio("hl7 send '\(dir)/one.hl7' --port \(port) --retries 1 --timeout 1")
        #expect(sent.status == 1, "\(sent.output)")
        #expect(sent.output.split(separator: "\n").contains("none\t1"), "\(sent.output)")
    }
}
