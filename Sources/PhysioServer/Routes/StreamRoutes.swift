import PhysioCore
import PhysioHTTP
import PhysioStore

/// `GET /cases/{case_id}/stream`: Server-Sent Events of new samples, scores,
/// episodes, review actions and limit changes. Resumes after `Last-Event-ID`; otherwise starts from now.
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
        let (caseID, cursor, snapshot) = try pool.withConnection { connection -> (CaseID, StreamCursor, CommitSnapshot?) in
            let caseID = try knownCases.existingCaseID(request, on: connection)
            if let resumed = request.header("Last-Event-ID").flatMap(StreamCursor.init) { return (caseID, resumed, nil) }
            // From the latest rows on: only what is new is sent. What had committed before is not news,
            // though the hub may hear of it later.
            let snapshot = CommitSnapshot(try connection.query(CommitSnapshot.currentSQL).scalar(String.self))
            let latest = try CaseQueries().latestChanges(caseID: caseID, on: connection)
            let reviews = max(try ReviewStore().latestAction(caseID: caseID, on: connection),
                              try CaseLimitStore().latestChange(caseID: caseID, on: connection))
            return (caseID, StreamCursor(samples: latest.samples, scores: latest.scores, episodes: latest.episodes, reviews: reviews), snapshot)
        }
        // A session this node still knows: what its client had, so the window behind the cursor can be read again.
        let had = cursor.session.flatMap { hub.sessions.had(by: $0, through: cursor.sequence) }
        let stream = CaseStream(caseID: caseID, tokenID: request.tokenID, pool: pool, hub: hub, cursor: cursor, openedAfter: snapshot, had: had,
                                heartbeatSeconds: heartbeatSeconds)
        return Response(contentType: "text/event-stream; charset=utf-8", stream: stream,
                        headers: [("Cache-Control", "no-store"), ("X-Accel-Buffering", "no")])
    }
}
