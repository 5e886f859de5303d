import PhysioHTTP
import PhysioStore

/// Everything `physio serve` is configured with.
public struct ServerConfiguration: Sendable {
    public var http = HTTPConfiguration()
    public var databaseURL: String
    /// Connections for request handlers (reads, token checks); writers and
    /// workers hold their own.
    public var poolSize = 8
    public var maxSamplesPerRequest = 10_000
    public var groupCommit = GroupCommitter.Options()
    public var tokenCacheSeconds = 5.0

    public init(databaseURL: String) { self.databaseURL = databaseURL }
}
