import PhysioCore
import PhysioPlatform

/// Plays a recorded case back as a monitor would send it: each second's
/// samples in one POST, at real time × `speed`. Sample times keep the
/// recording's spacing from `startMicros`, so at speed 10 the case's clock
/// runs ten times faster than the wall clock. A 503 is retried after its
/// Retry-After and a lost connection after reconnecting (duplicates are safe).
public struct CaseReplayer: Sendable {
    public struct Report: Sendable {
        public var caseID = ""
        public var requests = 0
        public var samples = 0
        public var accepted = 0
        public var duplicates = 0
        public var retries = 0
        public var rejected = 0
        public var latency = LatencyHistogram()
    }

    public let url: String
    public let token: String
    public let speed: Double
    public let startMicros: Int64
    public var maxRetries = 30

    public init(url: String, token: String, speed: Double, startMicros: Int64) {
        self.url = url
        self.token = token
        self.speed = speed
        self.startMicros = startMicros
    }

    /// `series` holds times relative to the recording's start (as read from a case CSV with origin 0).
    public func replay(_ series: SampleBatch, progress: ((Report) -> Void)? = nil) throws -> Report {
        let client = try HTTPClient(url: url)
        var report = Report()
        report.caseID = series.caseID
        guard let first = series.timestamps.first else { return report }
        let wallStart = Clock.monotonicNanos()
        var row = 0
        while row < series.count {
            let second = series.timestamps[row] / 1_000_000
            var end = row
            while end < series.count && series.timestamps[end] / 1_000_000 == second { end += 1 }
            let due = wallStart + UInt64(Double(series.timestamps[row] - first) * 1000 / speed)
            let now = Clock.monotonicNanos()
            if due > now { Clock.sleep(seconds: Double(due - now) / 1e9) }
            try post(series, rows: row..<end, first: first, client: client, report: &report)
            progress?(report)
            row = end
        }
        return report
    }

    private func post(_ series: SampleBatch, rows: Range<Int>, first: Int64, client: HTTPClient, report: inout Report) throws {
        var json = JSONWriter(capacity: 128 * rows.count)
        json.beginObject()
        json.key("samples")
        json.beginArray()
        for row in rows {
            json.beginObject()
            json.field("t", Timestamp.format(startMicros + series.timestamps[row] - first))
            for vital in Vital.allCases { if let value = series.value(vital, row: row) { json.field(vital.name, value) } }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
        for attempt in 0...maxRetries {
            let sent = Clock.monotonicNanos()
            let response: HTTPClient.Response
            do {
                response = try client.send("POST", "/cases/\(series.caseID)/vitals", headers: headers, body: json.bytes)
            } catch {
                guard attempt < maxRetries else { throw error }
                report.retries += 1
                client.close()
                Clock.sleep(seconds: 1)
                continue
            }
            report.requests += 1
            if response.status == 503, attempt < maxRetries {
                report.retries += 1
                Clock.sleep(seconds: Double(response.header("Retry-After") ?? "1") ?? 1)
                continue
            }
            report.latency.record(micros: Int64((Clock.monotonicNanos() - sent) / 1000))
            report.samples += rows.count
            if response.status == 200 {
                report.accepted += Int(response.withJSONNumber("accepted") ?? 0)
                report.duplicates += Int(response.withJSONNumber("duplicates") ?? 0)
            } else {
                report.rejected += rows.count
            }
            return
        }
    }
}

extension HTTPClient.Response {
    /// A top-level integer field of a small JSON answer such as {"accepted":3,"duplicates":0}.
    func withJSONNumber(_ key: String) -> Double? {
        let text = self.text
        guard let range = text.firstRange(of: "\"\(key)\":") else { return nil }
        return Double(text[range.upperBound...].prefix { $0.isNumber || $0 == "." || $0 == "-" })
    }
}
