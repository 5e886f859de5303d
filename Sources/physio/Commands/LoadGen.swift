import ArgumentParser
import PhysioClient
import PhysioCore
import PhysioData
import PhysioPlatform

struct LoadGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadgen",
        abstract: "Act as many monitors at once: each posts samples of its own case on its own connection at a steady rate.",
        discussion: """
            Sample times are the wall clock at sending, so detection latency can be read from the database (scored_at − ts). \
            A batch answered 5xx, or whose connection failed or timed out, is sent again before new samples, as a monitor \
            that buffers would; refused connections are retried every 100 ms.
            """)

    @Option(help: "Server URL (env PHYSIO_URL).") var url = Environment.string("PHYSIO_URL", default: "http://127.0.0.1:8080")
    @Option(help: "Send HL7 v2 ORU^R01 over MLLP to this port of --url's host instead of HTTP POSTs (no token; AA counts as 200, AE as 422, AR as 503: sent again).") var hl7Port: Int?
    @Option(help: "Ingest token (env PHYSIO_TOKEN).") var token = Environment.string("PHYSIO_TOKEN", default: "")
    @Option(help: "Simulated monitors, one connection each.") var monitors = 100
    @Option(help: "Requests per second per monitor; 0 = next request as soon as the last is answered.") var rate = 1.0
    @Option(help: "Samples per request.") var batch = 1
    @Option(help: "Seconds to run.") var duration = 10.0
    @Option(help: "Client threads.") var threads = 2
    @Option(help: "Case id prefix (cases are PREFIX-0, PREFIX-1, …).") var casePrefix = "lg"
    @Option(help: "Append `case_id,t,vitals` of every acknowledged sample (answered 200) to this file; vitals is all, nospo2 or spo2.") var ackLog: String?
    @Flag(help: "Send each instant's SpO2 in the monitor's next request, as a second device would (the server merges it).") var splitSpo2 = false
    @Option(help: "Seconds to wait for an answer before giving up on the connection.") var requestTimeout = 10.0
    @Option(help: "Write the report as JSON to this file.") var report: String?

    func validate() throws {
        guard !token.isEmpty || hl7Port != nil else { throw ValidationError("--token or PHYSIO_TOKEN is required") }
        if let hl7Port { guard (1...65535).contains(hl7Port) else { throw ValidationError("--hl7-port must be 1…65535") } }
        guard monitors >= 1, batch >= 1, duration > 0, threads >= 1, rate >= 0, requestTimeout > 0 else {
            throw ValidationError("--monitors, --batch, --threads ≥ 1; --duration, --request-timeout > 0; --rate ≥ 0")
        }
    }

    func run() throws {
        let client = try HTTPClient(url: url)
        var configuration = LoadConfiguration()
        configuration.host = client.host
        configuration.port = client.port
        configuration.token = token
        configuration.monitors = monitors
        configuration.requestsPerSecond = rate
        configuration.samplesPerRequest = batch
        configuration.durationSeconds = duration
        configuration.threads = threads
        configuration.casePrefix = casePrefix
        configuration.ackLogPath = ackLog
        configuration.splitSpO2 = splitSpo2
        configuration.requestTimeoutSeconds = requestTimeout
        configuration.hl7Port = hl7Port.map { UInt16($0) }
        let result = try LoadGenerator(configuration: configuration).run()

        var json = JSONWriter()
        json.beginObject()
        json.field("monitors", monitors)
        json.field("batch", batch)
        json.field("seconds", result.seconds)
        json.field("requests", result.requests)
        json.field("ok_requests", result.okRequests)
        json.field("requests_per_second", Double(result.okRequests) / result.seconds)
        json.field("samples_accepted", result.samplesAccepted)
        json.field("samples_per_second", Double(result.samplesAccepted) / result.seconds)
        json.field("samples_merged", result.samplesMerged)
        json.field("duplicates", result.duplicates)
        json.field("resent_requests", result.resent)
        json.field("connection_errors", result.connectionErrors)
        json.key("errors_by_status")
        json.beginObject()
        for (status, count) in result.statuses.sorted(by: { $0.key < $1.key }) { json.field(String(status), count) }
        json.endObject()
        if hl7Port != nil {
            json.key("acks_by_code")
            json.beginObject()
            for (code, count) in result.acknowledgements.sorted(by: { $0.key < $1.key }) { json.field(code, count) }
            json.endObject()
        }
        json.field("latency_p50_ms", result.latency.percentile(0.50) / 1000)
        json.field("latency_p99_ms", result.latency.percentile(0.99) / 1000)
        json.field("latency_max_ms", Double(result.latency.maxMicros) / 1000)
        json.endObject()
        print(json.string)
        if let report {
            let file = try TextWriter(path: report)
            file.write(json.string + "\n")
            file.close()
        }
    }
}

