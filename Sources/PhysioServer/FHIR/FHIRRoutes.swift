import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// `POST /fhir`: a FHIR R4 transaction or batch Bundle of vital-signs
/// Observations, stored through the same group-committed ingest path as
/// `POST /cases/{id}/vitals`. A transaction is all or nothing; in a batch the
/// entries in error are reported and the rest stored. The answer is a
/// transaction-response or batch-response Bundle; sample counts are in
/// `X-Physio-Samples-Accepted`, `-Duplicate`, `X-Physio-Observations-Ignored`.
struct FHIRRoutes {
    static let mediaType = OperationOutcome.mediaType
    let committer: GroupCommitter
    let metrics: ServerMetrics

    var routes: [Route] {
        [Route("POST", "/fhir", scope: "ingest") { request in try ingest(request) }]
    }

    func ingest(_ request: Request) throws -> Reply {
        guard request.mediaType == Self.mediaType || request.mediaType == "application/json" else {
            return .now(OperationOutcome(issues: [.init(severity: .error, code: "not-supported",
                diagnostics: "send the Bundle as application/fhir+json", expression: nil)]).response(status: 415))
        }
        let result: BundleDecoder.Result
        do {
            result = try BundleDecoder().decode(request.body)
        } catch let problem as FHIRProblem {
            metrics.ingestRejected.add()
            return .now(problem.response)
        }
        if result.type == .transaction && !result.issues.isEmpty {
            metrics.ingestRejected.add()
            return .now(OperationOutcome(issues: result.issues).response(status: 422))
        }
        guard !result.batches.isEmpty else { return .now(Self.answer(result, counts: [])) }
        let deferred = DeferredResponse()
        let requestID = request.id
        let metrics = self.metrics
        committer.submit(result.batches) { outcome in
            switch outcome {
            case .success(let counts):
                counts.forEach { metrics.ingestAccepted.add($0.accepted); metrics.ingestDuplicates.add($0.duplicates) }
                deferred.complete(Self.answer(result, counts: counts))
            case .failure(let error):
                let problem = DatabaseProblems.problem(for: error, requestID: requestID,
                                                       unavailable: "the database is unavailable; retry (duplicates are safe)",
                                                       failed: "FHIR ingest failed")
                let transient = problem.status == 503
                let outcome = OperationOutcome(issues: [.init(severity: .error, code: transient ? "transient" : "exception",
                    diagnostics: transient ? problem.detail : "the server failed to store the Bundle; see its log for request \(requestID)",
                    expression: nil)])
                var response = outcome.response(status: problem.status)
                response.headers.append(contentsOf: problem.headers)
                deferred.complete(response)
            }
        }
        return .later(deferred)
    }

    static func answer(_ result: BundleDecoder.Result, counts: [IngestCounts]) -> Response {
        var json = JSONWriter(capacity: 96 * result.outcomes.count + 128)
        json.beginObject()
        json.field("resourceType", "Bundle")
        json.field("type", "\(result.type.rawValue)-response")
        json.key("entry")
        json.beginArray()
        for outcome in result.outcomes {
            json.beginObject()
            json.key("response")
            json.beginObject()
            switch outcome {
            case .stored:
                json.field("status", "201 Created")
            case .ignored(let reason):
                json.field("status", "200 OK")
                json.key("outcome")
                OperationOutcome(issues: [.init(severity: .information, code: "informational", diagnostics: reason, expression: nil)])
                    .write(to: &json)
            case .failed(let issues):
                json.field("status", "422 Unprocessable Entity")
                json.key("outcome")
                OperationOutcome(issues: issues).write(to: &json)
            }
            json.endObject()
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return Response(status: 200, contentType: mediaType, body: json.bytes, headers: [
            ("X-Physio-Samples-Accepted", String(counts.reduce(0) { $0 + $1.accepted })),
            ("X-Physio-Samples-Duplicate", String(counts.reduce(0) { $0 + $1.duplicates })),
            ("X-Physio-Observations-Ignored", String(result.ignoredObservations)),
        ])
    }
}
