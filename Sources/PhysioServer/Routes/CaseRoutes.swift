import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// `GET /cases` (paged) and `GET /cases/{case_id}` (a case's current state).
struct CaseRoutes {
    let pool: ConnectionPool
    let episodeGapSeconds: Double

    var routes: [Route] {
        [
            Route("GET", "/cases", scope: "read") { request in .now(try list(request)) },
            Route("GET", "/cases/{case_id}", scope: "read") { request in .now(try detail(request)) },
        ]
    }

    func list(_ request: Request) throws -> Response {
        let query = try QueryParameters(request, allowed: ["limit", "cursor", "active_since"])
        let limit = try query.int("limit", default: 100, range: 1...1000)
        let after = try query.string("cursor").map(Cursor.decode)
        let activeSince = try query.time("active_since")
        let cases = try pool.withConnection {
            try CaseQueries().list(after: after, activeSince: activeSince, limit: limit + 1, on: $0)
        }
        var json = JSONWriter(capacity: 128 * min(cases.count, limit) + 64)
        json.beginObject()
        json.key("cases")
        json.beginArray()
        for summary in cases.prefix(limit) { Self.write(summary, to: &json) }
        json.endArray()
        json.field("next_cursor", cases.count > limit ? Cursor.encode(cases[limit - 1].caseID) : nil)
        json.endObject()
        return .json(json)
    }

    func detail(_ request: Request) throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let caseID = try Self.caseID(request)
        return try pool.withConnection { connection in
            let queries = CaseQueries()
            guard let summary = try queries.summary(caseID: caseID, on: connection) else { throw Self.unknown(caseID) }
            let latest = try queries.latestValues(caseID: caseID, lastSample: summary.lastSample, on: connection)
            let score = try ScoreStore().latest(caseID: caseID, on: connection)
            let episode = Self.isReceiving(summary, now: Clock.nowMicros())
                ? try EpisodeStore().open(caseID: caseID, gapSeconds: episodeGapSeconds, on: connection) : nil
            let jobs = try queries.jobCounts(caseID: caseID, on: connection)

            var json = JSONWriter(capacity: 1024)
            json.beginObject()
            Self.writeFields(summary, to: &json)
            json.key("latest")
            json.beginObject()
            for value in latest {
                json.key(value.vital.name)
                json.beginObject()
                json.field("value", value.value)
                json.field("t", Timestamp.format(value.at))
                json.endObject()
            }
            json.endObject()
            json.key("latest_score")
            if let score {
                json.beginObject()
                json.field("t", Timestamp.format(score.at))
                json.field("score", Float(score.score))
                json.field("anomalous", score.anomalous)
                json.field("model_id", score.modelID)
                json.endObject()
            } else {
                json.null()
            }
            json.key("open_episode")
            if let episode {
                let review = try ReviewStore().reviews(caseID: caseID, on: connection)[episode.id] ?? EpisodeReview()
                AnomalyRoutes.write(episode, review: review, to: &json)
            } else {
                json.null()
            }
            // The limits its team moved (`PUT …/limits`): a client colours values by them.
            json.key("limits")
            (try CaseLimitStore().inForce([caseID.rawValue], on: connection)[caseID.rawValue]?.limits ?? CaseLimits()).write(to: &json)
            json.field("pending_jobs", jobs.pending)
            json.field("failed_jobs", jobs.failed)
            json.endObject()
            return .json(json)
        }
    }

    /// How long after the case's last stored data an episode reaching its
    /// newest score still counts as going on: a cuff cycling every 5 minutes
    /// (the pressures' hold) posts no more often. A case whose monitor stopped
    /// in an episode (the case ended, or was imported from a record) has none
    /// open after that, rather than an alarm open for ever.
    static let receivingSeconds: Double = 360

    /// Whether the case's data still arrive, by the server's clock (a
    /// monitor's own may be minutes off).
    static func isReceiving(_ summary: CaseSummary, now: Int64) -> Bool {
        now - summary.updatedAt <= Timestamp.micros(seconds: receivingSeconds)
    }

    static func write(_ summary: CaseSummary, to json: inout JSONWriter) {
        json.beginObject()
        writeFields(summary, to: &json)
        json.endObject()
    }

    static func writeFields(_ summary: CaseSummary, to json: inout JSONWriter) {
        json.field("case_id", summary.caseID)
        json.field("first_sample", Timestamp.format(summary.firstSample))
        json.field("last_sample", Timestamp.format(summary.lastSample))
        json.field("samples", summary.samples)
        json.field("updated_at", Timestamp.format(summary.updatedAt))
    }

    static func caseID(_ request: Request) throws -> CaseID {
        let text = request.pathParameters["case_id"] ?? ""
        guard let caseID = CaseID(text) else {
            throw Problem.badRequest("case id '\(text.prefix(80))' must be \(CaseID.rule)")
        }
        return caseID
    }

    static func unknown(_ caseID: CaseID) -> Problem { .notFound("no case '\(caseID)'") }
}
