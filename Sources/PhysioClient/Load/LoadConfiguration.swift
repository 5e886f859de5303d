/// What `physio loadgen` simulates: monitors, each on its own keep-alive
/// connection, posting samples of one case at a steady rate.
public struct LoadConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port: UInt16 = 8080
    public var token = ""
    public var monitors = 100
    /// Requests per second per monitor; 0 sends the next as soon as the last is answered.
    public var requestsPerSecond = 1.0
    /// Samples in each request (one second apart in `t`... or as fast as sent).
    public var samplesPerRequest = 1
    public var durationSeconds = 10.0
    public var threads = 2
    public var casePrefix = "lg"
    /// Appends `case_id,t,vitals` of every acknowledged sample (for loss checks).
    public var ackLogPath: String?
    /// Each instant's SpO2 (85 %) is sent in the monitor's next request, as
    /// a second device would send it: the server merges it into the stored row.
    public var splitSpO2 = false
    /// Send HL7 v2 ORU^R01 over MLLP to this port instead of HTTP POSTs
    /// (no token; each request's samples one message, an OBR per instant).
    public var hl7Port: UInt16?
    /// A request unanswered this long counts as a lost connection (and is sent again).
    public var requestTimeoutSeconds = 10.0

    public init() {}
}

/// What a load run measured.
public struct LoadReport: Sendable {
    public var requests = 0
    /// Requests answered 200.
    public var okRequests = 0
    /// New samples sent (a resent batch counts once).
    public var samplesSent = 0
    /// Requests that sent an unacknowledged batch again (after a 5xx, a lost connection or a timeout).
    public var resent = 0
    public var samplesAccepted = 0
    /// Samples that filled vitals of an instant already stored.
    public var samplesMerged = 0
    public var duplicates = 0
    /// Non-200 answers by status.
    public var statuses: [Int: Int] = [:]
    /// HL7 answers by MSA-1 code.
    public var acknowledgements: [String: Int] = [:]
    /// Connections lost or refused (the request's outcome is unknown).
    public var connectionErrors = 0
    public var seconds = 0.0
    public var latency = LatencyHistogram()

    public mutating func merge(_ other: LoadReport) {
        requests += other.requests
        okRequests += other.okRequests
        samplesSent += other.samplesSent
        resent += other.resent
        samplesAccepted += other.samplesAccepted
        samplesMerged += other.samplesMerged
        duplicates += other.duplicates
        for (status, count) in other.statuses { statuses[status, default: 0] += count }
        for (code, count) in other.acknowledgements { acknowledgements[code, default: 0] += count }
        connectionErrors += other.connectionErrors
        latency.merge(other.latency)
    }
}
