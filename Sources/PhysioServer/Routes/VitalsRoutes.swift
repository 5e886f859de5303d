import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// `GET /cases/{case_id}/vitals?from&to&bucket=raw|1m|1h`.
struct VitalsRoutes {
    let pool: ConnectionPool
    let answers: AnswerCache
    let retention: RetentionNotice
    /// Whether answers follow from the samples alone (plain PostgreSQL); asked once.
    let plainAggregates = Locked<Bool?>(nil)
    /// Raw rows in one answer, at most; more is what exports are for.
    let maxRawRows: Int

    var routes: [Route] {
        [Route("GET", "/cases/{case_id}/vitals", scope: "read") { request in .now(try read(request)) }]
    }

    func read(_ request: Request) throws -> Response {
        let query = try QueryParameters(request, allowed: ["from", "to", "bucket"])
        let (from, to) = try query.timeRange()
        let bucket = try query.choice("bucket", of: ["raw", "1m", "1h"], default: "raw")
        let caseID = try CaseRoutes.caseID(request)
        return try pool.withConnection { connection in
            let generation = answers.generation
            guard let revision = try CaseQueries().revision(caseID: caseID, on: connection) else { throw CaseRoutes.unknown(caseID) }
            let key = AnswerCache.Key(route: "vitals", caseID: caseID.rawValue, parameters: [bucket, from.map(String.init), to.map(String.init)])
            let notice = try retention.header(for: bucket == "raw" ? .raw : .aggregates, from: from, caseID: caseID, on: connection)
            if let body = answers.body(for: key, version: revision) {
                return Response(status: 200, contentType: "application/json", body: body, headers: notice.map { [$0] } ?? [])
            }
            var json = JSONWriter(capacity: 64 * 1024)
            json.beginObject()
            json.field("case_id", caseID.rawValue)
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
                try writeBuckets(buckets, to: &json)
            }
            json.endObject()
            if try answersFollowSamples(on: connection) { answers.keep(json.bytes, for: key, version: revision, generation: generation) }
            return .json(json, headers: notice.map { [$0] } ?? [])
        }
    }

    /// A case's rows change only in the transaction that raises its
    /// revision (`cases.samples + merged`), so an answer kept under a
    /// revision was built at or after the snapshot of any reader who sees
    /// the same revision. Not under
    /// TimescaleDB, where a refresh folds late samples into a bucket without
    /// a new sample.
    private func answersFollowSamples(on connection: DatabaseConnection) throws -> Bool {
        if let known = plainAggregates.value { return known }
        let plain = try AggregateMode.detect(on: connection) == .tables
        plainAggregates.withLock { $0 = plain }
        return plain
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
    /// The inner loop copies prepared fragments and PostgreSQL's text through
    /// pointers taken once per answer: shared arrays touched per value cost
    /// a contended reference count each, which was most of this route's time.
    private func writeBuckets(_ buckets: VitalsBuckets, to json: inout JSONWriter) throws {
        json.key("buckets")
        json.beginArray()
        let vitals = Vital.allCases
        let fragments = Self.bucketFragments
        try fragments.bytes.withUnsafeBufferPointer { bytes in
            try fragments.ranges.withUnsafeBufferPointer { ranges in
                func fragment(_ index: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[ranges[index]]) }
                for row in 0..<buckets.count {
                    json.beginObject()
                    json.field("t", Timestamp.format(try buckets.start(row)))
                    json.verbatim(fragment(0))
                    json.verbatim(try buckets.samples(row))
                    for vital in vitals where buckets.isMeasured(row, vital) {
                        let first = 1 + vital.rawValue * 5
                        json.verbatim(fragment(first))
                        json.verbatim(try buckets.text(row, vital, .avg))
                        json.verbatim(fragment(first + 1))
                        json.verbatim(try buckets.text(row, vital, .min))
                        json.verbatim(fragment(first + 2))
                        json.verbatim(try buckets.text(row, vital, .max))
                        json.verbatim(fragment(first + 3))
                        json.verbatim(try buckets.text(row, vital, .count))
                        json.verbatim(fragment(first + 4))
                    }
                    json.endObject()
                }
            }
        }
        json.endArray()
    }

    static let bucketFragments = BucketFragments()
}

/// The fixed JSON of a bucket object in one buffer: `,"samples":`, then per
/// vital `,"hr":{"avg":`, `,"min":`, `,"max":`, `,"count":` and `}`.
struct BucketFragments: Sendable {
    let bytes: [UInt8]
    let ranges: [Range<Int>]

    init() {
        var parts = [#","samples":"#]
        for vital in Vital.allCases {
            parts += [#","\#(vital.name)":{"avg":"#, #","min":"#, #","max":"#, #","count":"#, "}"]
        }
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for part in parts {
            ranges.append(bytes.count..<bytes.count + part.utf8.count)
            bytes.append(contentsOf: part.utf8)
        }
        self.bytes = bytes
        self.ranges = ranges
    }
}
