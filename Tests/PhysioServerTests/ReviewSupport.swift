import PhysioClient
import PhysioCore
import PhysioPlatform
import PhysioTestSupport

/// Episodes to review and requests that review them, for the review tests.
extension TestServer {
    /// An episode row of `caseID` over [start, end] (epoch seconds), as a
    /// worker would write it, raised by `source` with the clinical `rules`
    /// it crossed; the case gets a sample so that it exists. Returns the episode's id.
    func episode(_ caseID: String, start: Int64, end: Int64, modelID: Int64, source: String = "model",
                 rules: [String] = ["sbp_lt_80"]) throws -> Int64 {
        try database.ingest([TestModels.calmCase(caseID, start: start, seconds: 1)])
        let id = try database.scalar("""
            INSERT INTO anomaly_episodes (case_id, started_at, ended_at, peak_at, peak_score, drivers, rules, model_id, source)
            VALUES ($1, to_timestamp($2::float8), to_timestamp($3::float8), to_timestamp($2::float8), 0.71,
                    '[{"vital":"sbp","weight":0.6}]', COALESCE(string_to_array(NULLIF($5, ''), ','), '{}'), $4, $6) RETURNING id
            """, [caseID, String(start), String(end), String(modelID), rules.joined(separator: ","), source])
        return Int64(id!)!
    }

    /// POSTs `body` (JSON, or nothing) to an episode's review action with the token of `scope`.
    func review(_ caseID: String, _ episodeID: Int64, _ action: String, _ body: String? = nil, scope: String = "review",
                contentType: String = "application/json") throws -> HTTPClient.Response {
        let headers = [bearer(scope)] + (body == nil ? [] : [("Content-Type", contentType)])
        return try client().send("POST", "/cases/\(caseID)/anomalies/\(episodeID)/\(action)", headers: headers,
                                 body: Array((body ?? "").utf8))
    }

    func read(_ path: String, scope: String = "read") throws -> HTTPClient.Response {
        try client().get(path, headers: [bearer(scope)])
    }
}

extension HTTPClient.Response {
    /// `review.<key>` of an episode answer, as text ("true"/"false" for booleans).
    func review(_ key: String) -> String? {
        withJSON { json in
            guard let value = json["review"]?[key] else { return nil }
            return value.string ?? value.bool.map { String($0) } ?? value.number.map { String(Int($0)) }
        }
    }

    /// The actions of the episode's trail, in order.
    var trailActions: [String] {
        withJSON { json in
            guard let trail = json["review"]?["trail"] else { return nil }
            return (0..<trail.count).compactMap { trail[$0]?["action"]?.string }
        } ?? []
    }
}
