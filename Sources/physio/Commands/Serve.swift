import ArgumentParser
import PhysioCore
import PhysioData
import PhysioHTTP
import PhysioServer
import PhysioStore
import PhysioWorker
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP API (and, by default, an inference worker pool).",
        discussion: "SIGTERM, SIGINT or SIGHUP: stop accepting, finish in-flight requests, exit 0.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var workerOptions: WorkerOptions

    @Option(help: "Address to listen on; 0.0.0.0 or :: for all (env PHYSIO_BIND).")
    var bind = Environment.string("PHYSIO_BIND", default: "127.0.0.1")
    @Option(help: "Port (env PHYSIO_PORT).")
    var port = Environment.int("PHYSIO_PORT", default: 8080)
    @Option(help: "HTTP threads, each with its own epoll loop (env PHYSIO_THREADS).")
    var threads = Environment.int("PHYSIO_THREADS", default: 4)
    @Option(help: "Largest request body in bytes (env PHYSIO_MAX_BODY_BYTES).")
    var maxBodyBytes = Environment.int("PHYSIO_MAX_BODY_BYTES", default: 8 << 20)
    @Option(help: "Most samples in one ingest request (env PHYSIO_MAX_SAMPLES).")
    var maxSamples = Environment.int("PHYSIO_MAX_SAMPLES", default: 10_000)
    @Option(help: "Most open client connections (env PHYSIO_CONNECTION_LIMIT).")
    var connectionLimit = Environment.int("PHYSIO_CONNECTION_LIMIT", default: 2048)
    @Option(help: "Most connections from one client address, 0 for no limit (env PHYSIO_PER_CLIENT_CONNECTION_LIMIT).")
    var perClientConnectionLimit = Environment.int("PHYSIO_PER_CLIENT_CONNECTION_LIMIT", default: 256)
    @Option(help: "Seconds before an idle connection is closed (env PHYSIO_IDLE_TIMEOUT).")
    var idleTimeout = Environment.int("PHYSIO_IDLE_TIMEOUT", default: 30)
    @Option(help: "Seconds a connection has to deliver a whole request (headers and body), however it trickles; 0 for none (env PHYSIO_REQUEST_DEADLINE).")
    var requestDeadline = Environment.int("PHYSIO_REQUEST_DEADLINE", default: 60)
    @Option(help: "Per-connection buffer the request line and headers must fit in; larger gets 431 (env PHYSIO_MAX_HEADER_BYTES).")
    var maxHeaderBytes = Environment.int("PHYSIO_MAX_HEADER_BYTES", default: 16 << 10)
    @Option(help: "Database connections for request handlers (env PHYSIO_POOL_SIZE).")
    var poolSize = Environment.int("PHYSIO_POOL_SIZE", default: 8)
    @Option(help: "Exports running at once, each on a database connection of its own, apart from --pool-size (env PHYSIO_EXPORT_CONNECTIONS).")
    var exportConnections = Environment.int("PHYSIO_EXPORT_CONNECTIONS", default: 4)
    @Option(help: "Exports one token may have running or waiting; more get 429 (env PHYSIO_EXPORTS_PER_TOKEN).")
    var exportsPerToken = Environment.int("PHYSIO_EXPORTS_PER_TOKEN", default: 4)
    @Option(help: "Exports that may wait for an export connection; more get 503 (env PHYSIO_EXPORT_QUEUE).")
    var exportQueue = Environment.int("PHYSIO_EXPORT_QUEUE", default: 32)
    @Option(help: "Seconds an export may wait for an export connection before it gets 503 (env PHYSIO_EXPORT_QUEUE_SECONDS).")
    var exportQueueSeconds = Environment.int("PHYSIO_EXPORT_QUEUE_SECONDS", default: 30)
    @Option(help: "Ingest writer connections, each committing groups of requests (env PHYSIO_COMMIT_WRITERS).")
    var commitWriters = Environment.int("PHYSIO_COMMIT_WRITERS", default: 2)
    @Option(help: "Rows that must be waiting before writers beyond the first take any (env PHYSIO_COMMIT_PARALLEL_ROWS).")
    var commitParallelRows = Environment.int("PHYSIO_COMMIT_PARALLEL_ROWS", default: 256)
    @Option(help: "Most rows in one group commit (env PHYSIO_COMMIT_MAX_ROWS).")
    var commitMaxRows = Environment.int("PHYSIO_COMMIT_MAX_ROWS", default: 20_000)
    @Option(help: "Microseconds a writer waits to gather more rows; 0 commits at once (env PHYSIO_COMMIT_MAX_WAIT_US).")
    var commitMaxWaitUs = Environment.int("PHYSIO_COMMIT_MAX_WAIT_US", default: 0)
    @Option(help: "Most raw samples or scores in one JSON answer (env PHYSIO_MAX_ROWS_PER_READ); exports stream any number.")
    var maxRowsPerRead = Environment.int("PHYSIO_MAX_ROWS_PER_READ", default: 100_000)
    @Option(help: "Bytes of memory for whole /vitals and /anomalies answers of cases that have not changed since; 0 for none (env PHYSIO_READ_CACHE_BYTES).")
    var readCacheBytes = Environment.int("PHYSIO_READ_CACHE_BYTES", default: 32 << 20)
    @Option(help: "The raw retention `physio retention` removes by, e.g. '30 days': reads reaching past it say so (env PHYSIO_RETENTION_RAW).")
    var retentionRaw: String?
    @Option(help: "The aggregates' retention, e.g. '5 years': bucket reads reaching past it say so (env PHYSIO_RETENTION_AGGREGATES).")
    var retentionAggregates: String?
    @Option(help: "PEM certificate file for HTTPS (env PHYSIO_TLS_CERT).")
    var tlsCert: String?
    @Option(help: "PEM private key file for HTTPS (env PHYSIO_TLS_KEY).")
    var tlsKey: String?
    @Option(help: "Access log: all, errors (4xx/5xx only) or off (env PHYSIO_ACCESS_LOG).")
    var accessLog = Environment.string("PHYSIO_ACCESS_LOG", default: "all")
    @Option(name: .customLong("fhir-case-identifier"),
            help: "SYSTEM or SYSTEM=PREFIX: in FHIR, a subject or encounter given only by an identifier of SYSTEM names case PREFIX+value; repeatable (env PHYSIO_FHIR_CASE_IDENTIFIERS, space-separated).")
    var fhirCaseIdentifiers = Environment.string("PHYSIO_FHIR_CASE_IDENTIFIERS", default: "").split(separator: " ").map(String.init)
    @OptionGroup var hl7: HL7Options

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard threads >= 1, poolSize >= 1, commitWriters >= 1 else {
            throw ValidationError("--threads, --pool-size and --commit-writers must be at least 1")
        }
        guard commitParallelRows >= 0 else { throw ValidationError("--commit-parallel-rows must be at least 0") }
        guard exportConnections >= 1, exportsPerToken >= 1, exportQueue >= 0, exportQueueSeconds >= 1 else {
            throw ValidationError("--export-connections, --exports-per-token and --export-queue-seconds must be at least 1, --export-queue at least 0")
        }
        guard maxSamples >= 1, maxBodyBytes >= 1024 else { throw ValidationError("--max-samples ≥ 1 and --max-body-bytes ≥ 1024") }
        guard connectionLimit >= 1, perClientConnectionLimit >= 0, idleTimeout >= 0, requestDeadline >= 0 else {
            throw ValidationError("--connection-limit ≥ 1; --per-client-connection-limit, --idle-timeout and --request-deadline ≥ 0")
        }
        guard maxHeaderBytes >= 4096 else { throw ValidationError("--max-header-bytes must be at least 4096") }
        guard commitMaxRows >= 1, maxRowsPerRead >= 1, commitMaxWaitUs >= 0, readCacheBytes >= 0 else {
            throw ValidationError("--commit-max-rows and --max-rows-per-read must be at least 1, --commit-max-wait-us and --read-cache-bytes at least 0")
        }
        if let level = Environment.string("PHYSIO_LOG_LEVEL"), Log.Level(name: level) == nil {
            throw ValidationError("PHYSIO_LOG_LEVEL must be debug, info, warning or error")
        }
        guard (certificatePath == nil) == (keyPath == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard FHIRCaseIdentifiers(parsing: fhirCaseIdentifiers) != nil else {
            throw ValidationError("--fhir-case-identifier is SYSTEM or SYSTEM=PREFIX, the prefix a valid start of a case id ([A-Za-z0-9._-])")
        }
        guard HTTPConfiguration.AccessLog(rawValue: accessLog) != nil else {
            throw ValidationError("--access-log must be all, errors or off")
        }
        try hl7.check(tls: certificatePath != nil)
    }

    // The environment is read here, not as the options' defaults: an optional
    // option with a default is deprecated in swift-argument-parser.
    private var certificatePath: String? { tlsCert ?? Environment.string("PHYSIO_TLS_CERT") }
    private var keyPath: String? { tlsKey ?? Environment.string("PHYSIO_TLS_KEY") }

    func run() throws {
        Signals.blockTermination()
        var configuration = ServerConfiguration(databaseURL: try database.url())
        configuration.http.bindAddress = bind
        configuration.http.port = UInt16(port)
        configuration.http.threads = threads
        configuration.http.maxBodyBytes = maxBodyBytes
        configuration.http.connectionLimit = connectionLimit
        configuration.http.perClientConnectionLimit = perClientConnectionLimit
        configuration.http.idleTimeoutSeconds = idleTimeout
        configuration.http.requestDeadlineSeconds = requestDeadline
        configuration.http.connectionMemoryBytes = maxHeaderBytes
        configuration.http.accessLog = HTTPConfiguration.AccessLog(rawValue: accessLog)!
        if let certificatePath, let keyPath {
            configuration.http.tlsCertificatePEM = try readFile(certificatePath)
            configuration.http.tlsKeyPEM = try readFile(keyPath)
            warnIfOthersCanRead(keyPath)
        }
        configuration.poolSize = poolSize
        configuration.exports.connections = exportConnections
        configuration.exports.perToken = exportsPerToken
        configuration.exports.queue = exportQueue
        configuration.exports.queueSeconds = Double(exportQueueSeconds)
        configuration.maxSamplesPerRequest = maxSamples
        configuration.groupCommit.writers = commitWriters
        configuration.groupCommit.parallelRows = commitParallelRows
        configuration.groupCommit.maxRows = commitMaxRows
        configuration.groupCommit.maxWaitMicros = commitMaxWaitUs
        configuration.maxRowsPerRead = maxRowsPerRead
        configuration.readCacheBytes = readCacheBytes
        configuration.retentionRaw = retentionRaw ?? Environment.string("PHYSIO_RETENTION_RAW")
        configuration.retentionAggregates = retentionAggregates ?? Environment.string("PHYSIO_RETENTION_AGGREGATES")
        configuration.episodeGapSeconds = workerOptions.episodeGapSeconds
        configuration.fhirCaseIdentifiers = FHIRCaseIdentifiers(parsing: fhirCaseIdentifiers)!
        configuration.hl7 = try hl7.configuration(bind: bind, perClientConnectionLimit: perClientConnectionLimit)

        // Client connections, database connections (handlers, exports,
        // writers, workers, the listener) and a margin for files and logs.
        let needed = connectionLimit + (configuration.hl7 == nil ? 0 : hl7.hl7ConnectionLimit) + poolSize + exportConnections + commitWriters + 2 * workerOptions.workers + 64
        if let limits = OpenFileLimit.raise(toCover: needed), limits.soft < needed {
            Log.warning("the open-file limit is below what --connection-limit needs: raise the hard limit (systemd LimitNOFILE, ulimit -Hn) or lower --connection-limit",
                        ["soft": .int(limits.soft), "hard": .int(limits.hard), "needed": .int(needed)])
        }
        let server = APIServer(configuration: configuration)
        try server.start()
        let latency = server.metrics.detectionLatency
        let workers = workerOptions.workers > 0
            ? WorkerPool(databaseURL: configuration.databaseURL, configuration: workerOptions.configuration,
                         listener: server.listener, onLatency: { latency.observe(Double($0) / 1e6) })
            : nil
        workers?.start()
        if let workers { server.metrics.observe(workers: workers) }
        let signal = Signals.waitForTermination()
        Log.info("shutting down", ["signal": .int(Int(signal))])
        server.stop()
        workers?.stop()
    }
}

/// A private key other users can read is no longer private: said at start
/// (as ssh refuses such a key; physio serves, and says so).
func warnIfOthersCanRead(_ path: String) {
    var status = stat()
    guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return }
    Log.warning("the TLS key file can be read by users other than its owner: chmod 600 it",
                ["path": .string(path), "mode": .string(String(status.st_mode & 0o777, radix: 8))])
}

/// A PEM file's text; the message stays the operator's.
func readFile(_ path: String) throws -> String {
    do { return String(decoding: try LineReader.readAll(path: path), as: UTF8.self) } catch {
        throw ValidationError("cannot read \(path)")
    }
}
