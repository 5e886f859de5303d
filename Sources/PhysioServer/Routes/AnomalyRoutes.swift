import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// `GET /cases/{case_id}/anomalies?from&to&min_score&granularity=episode|sample`;
/// episodes carry their review (ReviewRoutes).
struct AnomalyRoutes {
    let pool: ConnectionPool
    let knownCases: KnownCases
    let answers: AnswerCache
    let scoreVersions: ScoreVersions
    let retention: RetentionNotice
    let maxRawRows: Int

    var routes: [Route] {
        [Route("GET", "/cases/{case_id}/anomalies", scope: "read") { request in .now(try read(request)) }]
    }

    func read(_ request: Request) throws -> Response {
        let query = try QueryParameters(request, allowed: ["from", "to", "min_score", "granularity"])
        let (from, to) = try query.timeRange()
        let minScore = try query.double("min_score")
        if let minScore, !(0...1).contains(minScore) { throw Problem.badRequest("min_score must be between 0 and 1") }
        let granularity = try query.choice("granularity", of: ["episode", "sample"], default: "episode")
        let caseID = try CaseRoutes.caseID(request)
        let key = AnswerCache.Key(route: "anomalies", caseID: caseID.rawValue,
                                  parameters: [granularity, from.map(String.init), to.map(String.init), minScore.map { "\($0)" }])
        // Read before the query: a commit after it changes the version, a removal the generation.
        let generation = answers.generation
        let version = scoreVersions.version(of: caseID.rawValue)
        // Episodes are kept for ever; scored samples go with the raw data.
        let mayBePastRetention = granularity == "sample" && retention.applies(to: .raw)
        if !mayBePastRetention, let version, knownCases.contains(caseID), let body = answers.body(for: key, version: version) {
            return Response(status: 200, contentType: "application/json", body: body)
        }
        return try pool.withConnection { connection in
            try knownCases.requireExisting(caseID, on: connection)
            let notice = mayBePastRetention ? try retention.header(for: .raw, from: from, caseID: caseID, on: connection) : nil
            if let version, let body = answers.body(for: key, version: version) {
                return Response(status: 200, contentType: "application/json", body: body, headers: notice.map { [$0] } ?? [])
            }
            var json = JSONWriter(capacity: 4096)
            json.beginObject()
            json.field("case_id", caseID.rawValue)
            json.field("granularity", granularity)
            if granularity == "episode" {
                let episodes = try EpisodeStore().list(caseID: caseID, from: from, to: to, minScore: minScore, on: connection)
                let reviews = episodes.isEmpty ? [:] : try ReviewStore().reviews(caseID: caseID, on: connection)
                json.key("episodes")
                json.beginArray()
                for episode in episodes { Self.write(episode, review: reviews[episode.id] ?? EpisodeReview(), to: &json) }
                json.endArray()
            } else {
                let scores = try ScoreStore().list(caseID: caseID, from: from, to: to, minScore: minScore,
                                                   limit: maxRawRows + 1, on: connection)
                guard scores.count <= maxRawRows else {
                    throw Problem.badRequest("more than \(maxRawRows) scored samples in this range; narrow from/to, raise min_score, or use /exports/anomalies")
                }
                json.key("samples")
                json.beginArray()
                for score in scores { Self.write(score, to: &json) }
                json.endArray()
            }
            json.endObject()
            if let version { answers.keep(json.bytes, for: key, version: version, generation: generation) }
            return .json(json, headers: notice.map { [$0] } ?? [])
        }
    }

    /// One scored sample, as `granularity=sample` and the live stream show it.
    static func write(_ score: ScoreRecord, to json: inout JSONWriter) {
        json.beginObject()
        json.field("t", Timestamp.format(score.timestamp))
        json.field("score", Float(score.score))
        json.field("anomalous", score.anomalous)
        json.key("source")
        if let source = score.source { json.value(source.rawValue) } else { json.null() }
        writeStrings("rules", score.rules, to: &json)
        json.field("model_id", score.modelID)
        json.endObject()
    }

    /// One episode with its review (acknowledgement, verdict, audit trail).
    static func write(_ episode: EpisodeRecord, review: EpisodeReview, to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", episode.id)
        json.field("start", Timestamp.format(episode.start))
        json.field("end", Timestamp.format(episode.end))
        json.field("duration_seconds", Double(episode.end - episode.start) / 1e6)
        json.field("peak_time", Timestamp.format(episode.peakTime))
        json.field("peak_score", Float(episode.peakScore))
        json.key("drivers")
        json.raw(episode.driversJSON.utf8)
        writeStrings("rules", episode.rules, to: &json)
        json.field("source", episode.source.rawValue)
        json.key("raised_at")
        if let raisedAt = episode.raisedAt { json.value(Timestamp.format(raisedAt)) } else { json.null() }
        let alarms = episode.raisedAlarms
        ReviewJSON.writeAlarms("alarms", alarms.map { ($0.rule, $0.raisedAt!) }, to: &json)
        json.field("model_id", episode.modelID)
        json.key("review")
        ReviewJSON.write(review, alarms: alarms, to: &json)
        json.endObject()
    }

    static func writeStrings(_ name: String, _ values: [String], to json: inout JSONWriter) {
        json.key(name)
        json.beginArray()
        for value in values { json.value(value) }
        json.endArray()
    }
}
