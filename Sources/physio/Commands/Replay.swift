import ArgumentParser
import PhysioClient
import PhysioCore
import PhysioData
import PhysioPlatform

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Act as a monitor: post each second of recorded cases as it comes, at real time × --speed.",
        discussion: """
        Each case is replayed on its own connection, all at once. Sample times keep the recording's spacing \
        from --start (default: now), so at --speed 20 a case's clock runs 20 times faster than the wall clock. \
        Values a monitor could not report are sent as missing.
        """)

    @Argument(help: "Case CSV files (or directories of them).") var paths: [String]
    @Option(help: "Server URL (env PHYSIO_URL).") var url = Environment.string("PHYSIO_URL", default: "http://127.0.0.1:8080")
    @Option(help: "Ingest token (env PHYSIO_TOKEN).") var token = Environment.string("PHYSIO_TOKEN", default: "")
    @Option(help: "Replay speed: 1 = real time.") var speed = 1.0
    @Option(help: "Time of the first sample, RFC 3339 or 'now'.") var start = "now"
    @Option(help: "Prefix for case ids.") var casePrefix = ""

    func validate() throws {
        guard !token.isEmpty else { throw ValidationError("--token or PHYSIO_TOKEN is required") }
        guard speed > 0 else { throw ValidationError("--speed must be positive") }
        guard start == "now" || Timestamp.parseRFC3339(start) != nil else { throw ValidationError("--start must be RFC 3339 or now") }
    }

    func run() throws {
        let startMicros = start == "now" ? Clock.nowMicros() / 1_000_000 * 1_000_000 : Timestamp.parseRFC3339(start)!
        let cases = try paths.flatMap { try CaseCSV.readCases(at: $0) }.map { raw in
            raw.renamed(to: casePrefix + raw.caseID).droppingUnreportableValues().batch.droppingEmptyRows()
        }
        guard !cases.isEmpty else { throw ValidationError("no cases in \(paths.joined(separator: " "))") }
        let replayer = CaseReplayer(url: url, token: token, speed: speed, startMicros: startMicros)
        let reports = Locked<[CaseReplayer.Report]>([])
        let failures = Locked<[String]>([])
        let done = WaitGroup()
        for series in cases {
            done.add()
            startThread {
                defer { done.done() }
                do {
                    let report = try replayer.replay(series)
                    reports.withLock { $0.append(report) }
                } catch {
                    failures.withLock { $0.append("\(series.caseID): \(error)") }
                }
            }
        }
        done.wait()
        print("case_id\trequests\tsamples\taccepted\tduplicates\tretries\trejected\tp50_ms\tp99_ms")
        var total = LatencyHistogram()
        for report in reports.value.sorted(by: { $0.caseID < $1.caseID }) {
            total.merge(report.latency)
            print("\(report.caseID)\t\(report.requests)\t\(report.samples)\t\(report.accepted)\t\(report.duplicates)\t\(report.retries)\t\(report.rejected)\t\(report.latency.percentile(0.5) / 1000)\t\(report.latency.percentile(0.99) / 1000)")
        }
        print("all\t\t\t\t\t\t\t\(total.percentile(0.5) / 1000)\t\(total.percentile(0.99) / 1000)")
        for failure in failures.value { Log.error("replay failed", ["detail": .string(failure)]) }
        if !failures.value.isEmpty { throw ExitCode.failure }
    }
}
