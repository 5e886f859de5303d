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
        for row in 0..<rows.count {
            json.beginObject()
            json.field("t", Timestamp.format(rows.timestamps[row]))
            for vital in Vital.allCases {
                if let value = rows.value(vital, row: row) { json.field(vital.name, value) }
            }
            json.endObject()
        }
        json.endArray()
    }

    /// Per bucket: its start, sample count, and per vital measured in it avg/min/max/count.
    private func writeBuckets(_ buckets: [VitalsBucket], to json: inout JSONWriter) {
        json.key("buckets")
        json.beginArray()
        for bucket in buckets {
            json.beginObject()
            json.field("t", Timestamp.format(bucket.start))
            json.field("samples", bucket.samples)
            for vital in Vital.allCases {
                let stats = bucket.vitals[vital.rawValue]
                guard stats.count > 0 else { continue }
                json.key(vital.name)
                json.beginObject()
                json.field("avg", Float(stats.sum / Double(stats.count)))
                json.field("min", stats.min)
                json.field("max", stats.max)
                json.field("count", stats.count)
                json.endObject()
            }
            json.endObject()
        }
        json.endArray()
    }
}
