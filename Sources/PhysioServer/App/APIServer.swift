import PhysioCore
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
    /// Every route the router knows (the contract test checks each is described).
    public let routes: [Route]
    private let http: HTTPServer

    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
        pool = ConnectionPool(url: configuration.databaseURL, maxConnections: configuration.poolSize,
                              applicationName: "physio-api")
        committer = GroupCommitter(url: configuration.databaseURL, options: configuration.groupCommit)
        authenticator = TokenAuthenticator(pool: pool, cacheSeconds: configuration.tokenCacheSeconds)
        listener = NotificationListener(databaseURL: configuration.databaseURL)
        streams = StreamHub(listener: listener, authenticator: authenticator, heartbeatSeconds: configuration.streamHeartbeatSeconds)
        // One list per resource; joined rather than added, which keeps the type checker quick.
        let knownCases = KnownCases()
        let answers = AnswerCache(capacityBytes: configuration.readCacheBytes)
        let resources: [[Route]] = [
            HealthRoutes(pool: pool).routes,
            IngestRoutes(decoder: SampleDecoder(maxSamples: configuration.maxSamplesPerRequest), committer: committer, metrics: metrics).routes,
            FHIRRoutes(committer: committer, metrics: metrics).routes,
            CaseRoutes(pool: pool, episodeGapSeconds: configuration.episodeGapSeconds).routes,
            VitalsRoutes(pool: pool, answers: answers, maxRawRows: configuration.maxRowsPerRead).routes,
            AnomalyRoutes(pool: pool, knownCases: knownCases, answers: answers, scoreVersions: streams.scoreVersions, maxRawRows: configuration.maxRowsPerRead).routes,
            ExportRoutes(pool: pool).routes,
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
                            mapError: DatabaseProblems.problem(for:request:))
        let metrics = self.metrics
        http = HTTPServer(configuration: configuration.http, router: router, observer: { metrics.record($0) })
        metrics.observe(pool: pool, committer: committer)
        metrics.observe(http: http)
        metrics.observe(answers: answers)
    }

    public var port: UInt16 { http.port }

    public func start() throws {
        listener.start()
        try http.start()
    }

    /// Stops accepting, finishes in-flight requests (their commits included),
    /// then stops the writers.
    public func stop() {
        http.stop()
        committer.stop()
        listener.stop()
    }
}
