import PhysioCore
import PhysioHL7
import PhysioHTTP
import PhysioStore

/// The API server: HTTP, the ingest group committer and the read pool,
/// wired together. Start, serve, stop.
public final class APIServer: @unchecked Sendable {
    public let configuration: ServerConfiguration
    public let pool: ConnectionPool
    public let committer: GroupCommitter
    public let authenticator: TokenAuthenticator
    public let metrics = ServerMetrics()
    /// The process's LISTEN session: live streams here, and a worker pool in
    /// the same process (`physio serve`) subscribes to it too.
    public let listener: NotificationListener
    let streams: StreamHub
    let exports: ExportCapacity
    private let exportRunner: ExportRunner
    /// Requests an HTTP thread could not answer without waiting for a database connection.
    private let blockingWork: BlockingWork
    /// Every route the router knows (the contract test checks each is described).
    public let routes: [Route]
    private let http: HTTPServer
    /// HL7 v2 over MLLP, when configured.
    private let hl7: MLLPServer?

    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
        pool = ConnectionPool(url: configuration.databaseURL, maxConnections: configuration.poolSize,
                              applicationName: "physio-api")
        committer = GroupCommitter(url: configuration.databaseURL, options: configuration.groupCommit)
        authenticator = TokenAuthenticator(pool: pool, cacheSeconds: configuration.tokenCacheSeconds)
        listener = NotificationListener(databaseURL: configuration.databaseURL)
        exports = ExportCapacity(settings: configuration.exports)
        let retention = RetentionNotice(raw: configuration.retentionRaw, aggregates: configuration.retentionAggregates)
        exportRunner = ExportRunner(databaseURL: configuration.databaseURL, capacity: exports, retention: retention)
        // As many as there are pool connections to wait for.
        blockingWork = BlockingWork(threads: max(2, configuration.poolSize), queueLimit: 1024)
        // One list per resource; joined rather than added, which keeps the type checker quick.
        let knownCases = KnownCases()
        let answers = AnswerCache(capacityBytes: configuration.readCacheBytes)
        let sources = SourceHistory()   // FHIR's and HL7's, ranked across instants and nodes
        SourceSharing.start(sources, listener: listener)
        streams = StreamHub(listener: listener, authenticator: authenticator, answers: answers, blockingWork: blockingWork,
                            exports: exportRunner.running, heartbeatSeconds: configuration.streamHeartbeatSeconds)
        let resources: [[Route]] = [
            HealthRoutes(pool: pool).routes,
            IngestRoutes(decoder: SampleDecoder(maxSamples: configuration.maxSamplesPerRequest), committer: committer, metrics: metrics).routes,
            FHIRRoutes(committer: committer, metrics: metrics, identifiers: configuration.fhirCaseIdentifiers, sources: sources).routes,
            CaseRoutes(pool: pool, episodeGapSeconds: configuration.episodeGapSeconds).routes,
            VitalsRoutes(pool: pool, answers: answers, retention: retention, maxRawRows: configuration.maxRowsPerRead).routes,
            AnomalyRoutes(pool: pool, knownCases: knownCases, answers: answers, scoreVersions: streams.scoreVersions,
                          retention: retention, maxRawRows: configuration.maxRowsPerRead).routes,
            ReviewRoutes(pool: pool, knownCases: knownCases, scoreVersions: streams.scoreVersions).routes,
            CaseLimitRoutes(pool: pool, knownCases: knownCases).routes,
            ExportRoutes(capacity: exports).routes,
            StreamRoutes(pool: pool, knownCases: knownCases, hub: streams, heartbeatSeconds: configuration.streamHeartbeatSeconds).routes,
            AdminRoutes(pool: pool).routes,
            RulesRoutes().routes,
            MetricsRoutes(metrics: metrics).routes,
            OpenAPIRoutes().routes,
            StaticRoutes().routes,
        ]
        routes = Array(resources.joined())
        let authenticator = self.authenticator
        let router = Router(routes: routes,
                            authorize: { token in try authenticator.authorize(token) },
                            mapError: DatabaseProblems.problem(for:request:), blockingWork: blockingWork)
        let metrics = self.metrics
        http = HTTPServer(configuration: configuration.http, router: router, observer: { metrics.record($0) })
        metrics.observe(pool: pool, committer: committer)
        metrics.observe(http: http)
        metrics.observe(answers: answers)
        metrics.observe(exports: exports)
        metrics.observe(blockingWork: blockingWork)
        if var settings = configuration.hl7 {
            // The HTTP port's certificate, unless the listener was given its own.
            if settings.listener.tlsCertificatePEM == nil {
                settings.listener.tlsCertificatePEM = configuration.http.tlsCertificatePEM
                settings.listener.tlsKeyPEM = configuration.http.tlsKeyPEM
            }
            let ingest = HL7Ingest(configuration: settings, committer: committer, metrics: HL7Metrics(registry: metrics.registry),
                                   ingestMetrics: metrics, sources: sources)
            let server = MLLPServer(configuration: settings.listener) { frame, reply in ingest.handle(frame, reply: reply) }
            HL7Metrics.observe(server, in: metrics.registry)
            hl7 = server
        } else {
            hl7 = nil
        }
    }

    public var port: UInt16 { http.port }

    /// Client connections the HTTP server holds open (`physio_http_connections`).
    public var openConnections: Int { http.currentConnections }

    /// The MLLP port actually bound, when HL7 is served.
    public var hl7Port: UInt16? { hl7?.port }

    public func start() throws {
        listener.start()
        try http.start()
        do {
            try hl7?.start()
        } catch {
            http.stop()
            throw error
        }
    }

    /// Whether the HTTP server has begun to stop: new connections are closed as accepted.
    public var isStopping: Bool { http.isStopping }

    /// Stops accepting, finishes in-flight requests (their commits included),
    /// then stops the writers.
    public func stop() {
        exports.stop()
        hl7?.stop()
        http.stop()
        exportRunner.stop()
        blockingWork.stop()
        committer.stop()
        listener.stop()
    }
}
