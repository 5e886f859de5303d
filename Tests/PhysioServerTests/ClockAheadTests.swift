import PhysioClient
import PhysioCore
import PhysioHL7
import PhysioPlatform
@testable import PhysioServer
import PhysioTestSupport
import Testing

/// A sample stamped more than a day ahead of the server's clock (a monitor
/// set a year ahead) is refused on every path, naming it and how far ahead:
/// stored, it became its case's newest sample, and `/cases/{id}` showed its
/// values and no open episode while the live rows alarmed (an outside
/// audit, 2026-12-07). A day ahead or less is stored as sent.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ClockAheadTests {
    static func iso(_ secondsFromNow: Int64) -> String { Timestamp.format(Clock.nowMicros() / 1_000_000 * 1_000_000 + secondsFromNow * 1_000_000) }

    @Test func aSampleAYearAheadIsRefusedAndTheBatchWithIt() throws {
        let server = try TestServer()
        let refused = try server.ingest("ahead-1", json: #"{"samples":[{"t":"\#(Self.iso(-1))","hr":72},{"t":"\#(Self.iso(365 * 86_400))","hr":75}]}"#)
        #expect(refused.status == 422, "\(refused.text)")
        #expect(refused.header("Content-Type") == "application/problem+json")
        #expect(refused.text.contains("samples[1].t") && refused.text.contains("365 days ahead of the server's clock"), "\(refused.text)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'ahead-1'") == 0, "nothing stored")
        // A clock hours fast, or a replay running ahead, is stored as sent.
        let stored = try server.ingest("ahead-1", json: #"{"samples":[{"t":"\#(Self.iso(-1))","hr":72},{"t":"\#(Self.iso(23 * 3_600))","hr":75}]}"#)
        #expect(stored.status == 200, "\(stored.text)")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'ahead-1'") == 2)
    }

    @Test func fhirNamesTheObservationsTime() throws {
        let server = try TestServer()
        let body = FHIRTests.bundle("transaction", [FHIRTests.observation("8867-4", value: 72, unit: "/min", time: Self.iso(40 * 86_400))])
        let response = try server.client().send("POST", "/fhir", headers: [server.bearer("ingest"), ("Content-Type", "application/fhir+json")],
                                                body: Array(body.utf8))
        #expect(response.status == 422 && response.text.contains("OperationOutcome"), "\(response.text)")
        #expect(response.text.contains("40 days ahead of the server's clock"), "\(response.text)")
        #expect(try server.database.count("SELECT count(*) FROM vitals") == 0)
    }

    @Test func hl7AnswersAE102AtTheTime() throws {
        var reader = ObservationReportReader(caseRule: .standard, timeZone: .unset)
        let now: Int64 = 1_795_600_000
        reader.clock = { now * 1_000_000 }
        func read(_ time: String) throws -> Result<ObservationReport, ReportRefusal> {
            let message = try HL7Message.parse(Array(HL7Messages.oru(id: "a-\(time)", time: time,
                                                                     observations: [HL7Messages.obx(1, HL7Messages.hr, "70", HL7Messages.bpm, time: time)]).utf8))
            return reader.read(message)
        }
        guard case .failure(let refusal) = try read("20271125100000+0000") else { Issue.record("a year ahead was read"); return }
        #expect(refusal.problem.segment == "OBX" && refusal.problem.field == 14 && refusal.problem.code == 102 && refusal.problem.text.contains("365 days ahead of the server's clock"), "\(refusal.problem.text)")
        guard case .success = try read("20261125100000+0000") else { Issue.record("23 h ahead was refused"); return }
    }
}
