import PhysioClient
import PhysioHL7
import PhysioPlatform
import PhysioServer
import PhysioTestSupport
import Testing

/// Two API nodes on one database, a gateway's Bundles and messages reaching
/// either (a load balancer with no sticky sessions; an outside audit of
/// 2026-12-08): the node that did not store the ECG's heart rate leaves the
/// oximeter's pulse rate out too, as `SourcesAcrossInstantsTests` has one
/// node do. Before, each node knew only the sources it had stored: the
/// column alternated 160 and 130, and a transaction holding the pulse rate
/// beside a saturation was refused whole (409) on the other node.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct SourcesAcrossNodesTests {
    /// Nodes tell each other every 0.1 s; on a loaded machine the listener may take longer.
    static let told = 2.0

    static func post(_ server: TestServer, _ type: String, _ entries: [String]) throws -> HTTPClient.Response {
        try server.client().send("POST", "/fhir", headers: [server.bearer("ingest"), ("Content-Type", "application/fhir+json")],
                                 body: Array(FHIRTests.bundle(type, entries).utf8))
    }

    @Test func aPulseRateReachingTheOtherNodeIsNamedAndNotStored() throws {
        let database = try TestDatabase.create()
        let a = try TestServer(database: database), b = try TestServer(database: database)
        for second in 0..<3 {
            let ecg = FHIRTests.observation("8867-4", value: Double(160 + second), unit: "/min", time: "2026-11-24T10:00:0\(second).05Z")
            #expect(try Self.post(a, "batch", [ecg]).status == 200)
            Clock.sleep(seconds: Self.told)
            let pulse = FHIRTests.observation("8889-8", value: Double(130 + second), unit: "/min", time: "2026-11-24T10:00:0\(second).45Z")
            let response = try Self.post(b, "batch", [pulse])
            #expect(response.withJSON { $0["entry"]?[0]?["response"]?["status"]?.string } == "200 OK", "\(response.text)")
            #expect(response.withJSON { $0["entry"]?[0]?["response"]?["outcome"]?["issue"]?[0]?["diagnostics"]?.string }?
                .contains("ranks higher") == true, "\(response.text)")
        }
        #expect(try database.count("SELECT count(*) FROM vitals WHERE hr < 140") == 0)
        #expect(try database.count("SELECT count(*) FROM vitals WHERE hr >= 160") == 3)
    }

    @Test func aTransactionOnTheOtherNodeStoresItsSaturation() throws {
        let database = try TestDatabase.create()
        let a = try TestServer(database: database), b = try TestServer(database: database)
        #expect(try Self.post(a, "batch", [FHIRTests.observation("8867-4", value: 160, unit: "/min", time: "2026-11-24T10:00:00Z")]).status == 200)
        Clock.sleep(seconds: Self.told)
        let response = try Self.post(b, "transaction", [
            FHIRTests.observation("8889-8", value: 130, unit: "/min", time: "2026-11-24T10:00:00Z"),
            FHIRTests.observation("59408-5", value: 97, unit: "%", time: "2026-11-24T10:00:00Z"),
        ])
        #expect(response.status == 200, "\(response.text)")
        #expect(try database.count("SELECT count(*) FROM vitals WHERE hr = 160 AND spo2 = 97") == 1)
    }

    @Test func anHL7PulseRateOnTheOtherNodesConnectionIsNamed() throws {
        let database = try TestDatabase.create()
        func node() throws -> TestServer {
            try TestServer(database: database) { configuration in
                var hl7 = HL7Configuration()
                hl7.listener.port = 0
                configuration.hl7 = hl7
            }
        }
        let a = try node(), b = try node()
        typealias M = HL7Messages
        #expect(try a.mllp().exchange(M.oru(id: "e-0", time: "20261124100000.05+0000", observations: [M.obx(1, M.hr, "160", M.bpm)]))?
            .acknowledgement?.code == "AA")
        Clock.sleep(seconds: Self.told)
        let answer = try #require(try b.mllp().exchange(M.oru(id: "o-0", time: "20261124100000.45+0000", observations: [
            M.obx(1, M.spo2, "98", M.percent), M.obx(2, "149530^MDC_PULS_OXIM_PULS_RATE^MDC", "130", M.bpm)])))
        #expect(answer.acknowledgement?.code == "AA")
        #expect(answer.warnings.map(\.location) == ["OBX^2^5"] && answer.warnings.first?.code == "205", "\(answer.errors)")
        #expect(try database.count("SELECT count(*) FROM vitals WHERE hr < 140") == 0)
        #expect(try database.count("SELECT count(*) FROM vitals WHERE spo2 = 98") == 1)
    }
}
