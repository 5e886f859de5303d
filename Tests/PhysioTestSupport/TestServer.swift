import PhysioClient
import PhysioCore
import PhysioServer
import PhysioStore

/// A real physio API server on a free loopback port, over its own fresh
/// database, with one token per scope.
public final class TestServer: @unchecked Sendable {
    public let database: TestDatabase
    public let server: APIServer
    public private(set) var tokens: [String: String] = [:]

    public init(database: TestDatabase? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        self.database = try database ?? TestDatabase.create()
        var configuration = ServerConfiguration(databaseURL: self.database.url)
        configuration.http.port = 0
        configuration.http.threads = 2
        configuration.http.accessLog = .off
        configuration.poolSize = 4
        configure(&configuration)
        server = APIServer(configuration: configuration)
        let connection = try self.database.connect()
        for scope in TokenStore.scopes {
            tokens[scope] = try TokenStore().create(name: "test-\(scope)", scopes: [scope], on: connection).token
        }
        tokens["all"] = try TokenStore().create(name: "test-all", scopes: TokenStore.scopes, on: connection).token
        try server.start()
    }

    deinit { server.stop() }

    public var port: UInt16 { server.port }

    /// The MLLP port, when the test configured HL7 (`configuration.hl7`).
    public var hl7Port: UInt16 { server.hl7Port! }

    /// A sender connected to the MLLP port.
    public func mllp() throws -> MLLPTestClient { try MLLPTestClient(port: hl7Port) }

    public func client() -> HTTPClient { HTTPClient(host: "127.0.0.1", port: port) }

    public func bearer(_ scope: String) -> (String, String) { ("Authorization", "Bearer \(tokens[scope]!)") }

    /// The value of one series of `/metrics` (its name with labels, as printed), or nil when absent.
    public func metric(_ series: String, client: HTTPClient? = nil) throws -> Double? {
        let text = try (client ?? self.client()).get("/metrics", headers: [bearer("read")]).text
        return text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    /// POSTs JSON samples to a case with the ingest token.
    public func ingest(_ caseID: String, json: String, client: HTTPClient? = nil) throws -> HTTPClient.Response {
        try (client ?? self.client()).send("POST", "/cases/\(caseID)/vitals",
                                           headers: [bearer("ingest"), ("Content-Type", "application/json")],
                                           body: Array(json.utf8))
    }
}
