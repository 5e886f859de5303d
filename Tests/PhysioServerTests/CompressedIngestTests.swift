import PhysioClient
import PhysioData
import PhysioTestSupport
import Testing

/// Gateways compress what they forward: ingest decodes gzip and deflate
/// bodies, refuses other encodings, and a decompression bomb stores nothing.
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct CompressedIngestTests {
    static let samples = (0..<120).map { #"{"t":\#(1_795_600_000 + $0),"hr":\#(60 + $0 % 30),"spo2":97}"# }.joined(separator: ",")
    static let body = Array(#"{"samples":[\#(samples)]}"#.utf8)

    func post(_ server: TestServer, _ caseID: String, encoding: String, body: [UInt8]) throws -> HTTPClient.Response {
        try server.client().send("POST", "/cases/\(caseID)/vitals",
                                 headers: [server.bearer("ingest"), ("Content-Type", "application/json"), ("Content-Encoding", encoding)],
                                 body: body)
    }

    @Test func gzipIngestIsStored() throws {
        let server = try TestServer()
        let reply = try post(server, "gz-1", encoding: "gzip", body: try Gzip.compress(Self.body))
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.number("accepted") == 120)
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'gz-1'") == 120)
    }

    @Test func otherEncodingsAre415AndStoreNothing() throws {
        let server = try TestServer()
        let reply = try post(server, "br-1", encoding: "br", body: Self.body)
        #expect(reply.status == 415)
        #expect(reply.header("Accept-Encoding") == "gzip, deflate")
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'br-1'") == 0)
    }

    /// 100 MiB of JSON whitespace and one sample behind it: the body limit
    /// stops the inflating, 413, and not even the sample is stored.
    @Test func aGzipBombIs413AndStoresNothing() throws {
        let server = try TestServer { $0.http.maxBodyBytes = 1 << 20 }
        let padded = Array(#"{"samples":["#.utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 100 << 20)
            + Array(#"{"t":1795600000,"hr":70}]}"#.utf8)
        let bomb = try Gzip.compress(padded, level: 9)
        #expect(bomb.count < 1 << 20)
        let reply = try post(server, "bomb-1", encoding: "gzip", body: bomb)
        #expect(reply.status == 413)
        #expect(reply.text.contains("inflates to more than"))
        #expect(try server.database.count("SELECT count(*) FROM vitals WHERE case_id = 'bomb-1'") == 0)
        // The server carries on.
        #expect(try post(server, "bomb-1", encoding: "gzip", body: try Gzip.compress(Self.body)).status == 200)
    }
}
