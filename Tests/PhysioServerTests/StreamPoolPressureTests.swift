import PhysioClient
import PhysioCore
import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

/// A live stream reads on an HTTP event-loop thread, which may not wait
/// for a database connection. Woken while every connection is busy, it
/// must still read once one is free, not at its next heartbeat.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct StreamPoolPressureTests {
    @Test func aStreamWokenWhileEveryConnectionIsBusyReadsWhenOneIsFree() throws {
        let server = try TestServer { $0.poolSize = 2 }
        #expect(try server.ingest("busy-pool", json: #"{"samples":[{"t":1795600000,"hr":70}]}"#).status == 200)
        let stream = try EventStreamReader(port: server.port, path: "/cases/busy-pool/stream", token: server.tokens["read"]!)
        #expect(waitUntil(seconds: 5) {
            while stream.next(within: 0.1) != nil {}
            return stream.status == 200
        })

        // Every connection of the server's pool held here, a team's change committed and announced from outside it.
        let held = try (0..<2).map { _ in try server.server.pool.checkout() }
        let outside = try server.database.connect()
        try outside.transaction {
            try CaseLimitStore().set(caseID: CaseID("busy-pool")!, limits: CaseLimits(["hr_gt_140": 180]), note: nil,
                                     by: Reviewer(name: "test", tokenID: nil), on: outside)
            try CaseEvents.notify(.reviews, caseIDs: ["busy-pool"], on: outside)
        }
        #expect(stream.next(within: 1) == nil, "no connection to read with yet")
        let freed = Clock.monotonicNanos()
        for connection in held { server.server.pool.checkin(connection) }

        // The heartbeat is 15 s away: the event comes well before it.
        let limits = CaseLimitRoutesTests.next("limits", on: stream, within: 5)
        #expect(limits?.data.contains(#""id":"hr_gt_180""#) == true, "\(limits?.data ?? "no limits event")")
        #expect(Double(Clock.monotonicNanos() - freed) / 1e9 < 5)
    }
}
