import PhysioHTTP
import PhysioStore

/// Everything `physio serve` is configured with.
public struct ServerConfiguration: Sendable {
    public var http = HTTPConfiguration()
    public var databaseURL: String
    /// Connections for request handlers (reads, token checks); writers,
    /// exports and workers hold their own.
    public var poolSize = 8
    /// Exports' own connections, per-token limit and queue.
    public var exports = ExportSettings()
    public var maxSamplesPerRequest = 10_000
    public var groupCommit = GroupCommitter.Options()
    public var tokenCacheSeconds = 5.0
    /// Raw samples or scores in one JSON answer, at most (exports stream any number).
    public var maxRowsPerRead = 100_000
    /// Memory for whole `/vitals` and `/anomalies` answers of unchanged cases; 0 for none.
    public var readCacheBytes = 32 << 20
    /// As the workers' episode gap: an episode that ended within it of the
    /// latest score is still open.
    public var episodeGapSeconds = 30.0
    /// Idle live streams send a keep-alive comment this often.
    public var streamHeartbeatSeconds = 15.0
    /// Identifier systems whose values name cases in FHIR references given only by identifier.
    public var fhirCaseIdentifiers = FHIRCaseIdentifiers()
    /// The periods `physio retention` removes data after (PostgreSQL
    /// intervals); reads reaching past them say so. Nil: kept for ever.
    public var retentionRaw: String?
    public var retentionAggregates: String?
    /// HL7 v2 over MLLP on a port of its own (`--hl7-port`); nil: none.
    public var hl7: HL7Configuration?

    public init(databaseURL: String) { self.databaseURL = databaseURL }
}
