import PhysioCore
import PhysioHTTP
import PhysioStore

/// `GET /cases/{case_id}/vitals?from&to&bucket=raw|1m|1h`.
struct VitalsRoutes {
    let pool: ConnectionPool
    /// Raw rows in one answer, at most; more is what exports are for.
    let maxRawRows: Int

    var routes: [Route] {
        [Route("GET", "/cases/{case_id}/vitals", scope: "read") { request in .now(try read(request)) }]
    }

    func read(_ request: Request) throws -> Response {
        let query = try QueryParameters(request, allowed: ["from", "to", "bucket"])
        let (from, to) = try query.timeRange()
        let bucket = try query.choice("bucket", of: ["raw", "1m", "1h"], default: "raw")
        return try pool.withConnection { connection in
            let caseID = try CaseRoutes.existingCaseID(request, on: connection)
            var json = JSONWriter(capacity: 64 * 1024)
            json.beginObject()
            json.field("case_id", caseID)
            json.field("bucket", bucket)
            if bucket == "raw" {
                let rows = try VitalsQueries().raw(caseID: caseID, from: from, to: to, limit: maxRawRows + 1, on: connection)
                guard rows.count <= maxRawRows else {
                    throw Problem.badRequest("more than \(maxRawRows) samples in this range; narrow from/to, use bucket=1m or 1h, or /exports/vitals")
                }
                writeSamples(rows, to: &json)
            } else {
                let resolution: AggregateSQL.Resolution = bucket == "1m" ? .minute : .hour
                let buckets = try VitalsQueries().buckets(caseID: caseID, resolution: resolution, from: from, to: to, on: connection)
                writeBuckets(buckets, to: &json)
            }
            json.endObject()
            return .json(json)
        }
    }

    private func writeSamples(_ rows: SampleBatch, to json: inout JSONWriter) {
        json.key("samples")
        json.beginArray()
        for row in 0..<rows.count { Self.write(rows, row: row, to: &json) }
        json.endArray()
    }

    /// One sample, as raw reads and the live stream show it.
    static func write(_ samples: SampleBatch, row: Int, to json: inout JSONWriter) {
        json.beginObject()
        json.field("t", Timestamp.format(samples.timestamps[row]))
        for vital in Vital.allCases {
            if let value = samples.value(vital, row: row) { json.field(vital.name, value) }
        }
        json.endObject()
    }

    /// Per bucket: its start, sample count, and per vital measured in it avg/min/max/count.
    private func writeBuckets(_ buckets: VitalsBuckets, to json: inout JSONWriter) {
        json.key("buckets")
        json.beginArray()
        for row in 0..<buckets.count {
            json.beginObject()
            json.field("t", Timestamp.format(buckets.start(row)))
            json.key(Self.samplesKey)
            json.raw(buckets.samples(row))
            for vital in Vital.allCases where buckets.isMeasured(row, vital) {
                json.key(Self.vitalKeys[vital.rawValue])
                json.beginObject()
                for statistic in Self.statistics {
                    json.key(Self.statisticKeys[statistic.rawValue])
                    json.raw(buckets.text(row, vital, statistic))
                }
                json.endObject()
            }
            json.endObject()
        }
        json.endArray()
    }

    static let statistics: [VitalsBuckets.Statistic] = [.avg, .min, .max, .count]
    static let statisticKeys = VitalsBuckets.Statistic.allCases.map { JSONWriter.EncodedKey("\($0)") }
    static let vitalKeys = Vital.allCases.map { JSONWriter.EncodedKey($0.name) }
    static let samplesKey = JSONWriter.EncodedKey("samples")
}
