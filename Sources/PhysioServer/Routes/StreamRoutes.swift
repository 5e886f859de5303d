import PhysioCore
import PhysioHTTP
import PhysioStore

/// `GET /cases/{case_id}/stream`: Server-Sent Events of new samples, scores
/// and episodes. Resumes after `Last-Event-ID`; otherwise starts from now.
struct StreamRoutes {
    let pool: ConnectionPool
    let knownCases: KnownCases
    let hub: StreamHub
    let heartbeatSeconds: Double

    var routes: [Route] {
        [Route("GET", "/cases/{case_id}/stream", scope: "read") { request in .now(try open(request)) }]
    }

    func open(_ request: Request) throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let (caseID, cursor) = try pool.withConnection { connection -> (String, StreamCursor) in
            let caseID = try knownCases.existingCaseID(request, on: connection)
            if let resumed = request.header("Last-Event-ID").flatMap(StreamCursor.init) { return (caseID, resumed) }
            let result = try connection.query("""
                SELECT coalesce((SELECT (extract(epoch from max(ts)) * 1000000)::int8 FROM vitals WHERE case_id = $1), 0),
                       coalesce((SELECT (extract(epoch from max(ts)) * 1000000)::int8 FROM anomaly_scores WHERE case_id = $1), 0),
                       coalesce((SELECT (extract(epoch from max(updated_at)) * 1000000)::int8 FROM anomaly_episodes WHERE case_id = $1), 0)
                """, [caseID])
            // From the latest rows on: only what is new is sent.
            return (caseID, StreamCursor(samples: result.int64(0, 0)!, scores: result.int64(0, 1)!, episodes: result.int64(0, 2)!))
        }
        let stream = CaseStream(caseID: caseID, pool: pool, hub: hub, cursor: cursor, heartbeatSeconds: heartbeatSeconds)
        return Response(contentType: "text/event-stream; charset=utf-8", stream: stream,
                        headers: [("Cache-Control", "no-store"), ("X-Accel-Buffering", "no")])
    }
}
