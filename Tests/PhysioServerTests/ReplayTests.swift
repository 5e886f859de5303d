import PhysioClient
import PhysioCore
import PhysioTestSupport
import Testing
import PhysioPlatform

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct ReplayTests {
    /// A recorded case, replayed fast, arrives whole with its spacing kept.
    @Test func aReplayedCaseArrivesWithItsSpacing() throws {
        let server = try TestServer()
        // Relative times as read from a case CSV: every 2 s, and two samples in one second.
        var series = SampleBatch(caseID: "rec-1")
        for second in stride(from: 0, to: 60, by: 2) {
            series.set(.hr, row: series.appendRow(timestamp: Int64(second) * 1_000_000), to: 70 + Float(second % 7))
        }
        series.set(.spo2, row: series.appendRow(timestamp: 58_500_000), to: 97)
        let start: Int64 = 1_795_600_000_000_000
        let replayer = CaseReplayer(url: "http://127.0.0.1:\(server.port)", token: server.tokens["ingest"]!, speed: 600, startMicros: start)
        let began = Clock.monotonicNanos()
        let report = try replayer.replay(series)
        let seconds = Double(Clock.monotonicNanos() - began) / 1e9
        #expect(report.accepted == 31 && report.rejected == 0)
        #expect(report.requests == 30, "one request per second of recording")
        #expect(seconds >= 0.09, "58.5 s at 600× takes about 0.1 s: \(seconds)")
        let times = try server.database.connect().query(
            "SELECT (extract(epoch from ts) * 1000000)::int8 FROM vitals WHERE case_id = 'rec-1' ORDER BY ts")
        #expect(times.int64(0, 0) == start)
        #expect(times.int64(30, 0) == start + 58_500_000)
        // Replaying again is safe: everything is a duplicate.
        let again = try replayer.replay(series)
        #expect(again.accepted == 0 && again.duplicates == 31)
    }
}
