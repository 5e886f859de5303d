import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// `POST /cases/{case_id}/vitals`: validate, hand to the group committer,
/// answer after the commit with what became of each sample (IngestReply).
struct IngestRoutes {
    let decoder: SampleDecoder
    let committer: GroupCommitter
    let metrics: ServerMetrics

    var routes: [Route] {
        [Route("POST", "/cases/{case_id}/vitals", scope: "ingest") { request in try ingest(request) }]
    }

    func ingest(_ request: Request) throws -> Reply {
        let caseID = try CaseRoutes.caseID(request)
        let batch: SampleBatch
        do {
            batch = try decoder.decode(caseID: caseID.rawValue, mediaType: request.mediaType, body: request.body)
        } catch {
            metrics.ingestRejected.add()
            throw error
        }
        if batch.isEmpty { return .now(IngestReply.response(IngestCounts(accepted: 0, duplicates: 0))) }
        let deferred = DeferredResponse()
        let requestID = request.id
        let metrics = self.metrics
        let showsStored = request.scopes.contains("read")
        committer.submit(batch) { result in
            switch result {
            case .success(let counts):
                metrics.recordIngest(counts)
                deferred.complete(IngestReply.response(counts, showsStored: showsStored))
            case .failure(let error):
                // The why (hosts, libpq's words) is in the committer's log line, not for clients.
                deferred.complete(DatabaseProblems.problem(
                    for: error, requestID: requestID,
                    unavailable: "samples not stored: the database is unavailable; retry (duplicates are safe)",
                    failed: "ingest failed").response)
            }
        }
        return .later(deferred)
    }
}
