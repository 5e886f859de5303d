import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// `POST /fhir`: a FHIR R4 transaction or batch Bundle of vital-signs
/// Observations, stored through the same group-committed ingest path as
/// `POST /cases/{id}/vitals`. A transaction is all or nothing; in a batch the
/// entries in error are reported and the rest stored. The answer is a
/// transaction-response or batch-response Bundle (BundleResponse); sample
/// counts are in `X-Physio-Samples-Accepted`, `-Merged`, `-Duplicate`,
/// `-Conflict` and `X-Physio-Observations-Ignored`. A transaction with a
/// value that conflicts with a stored one is refused whole (409).
struct FHIRRoutes {
    static let mediaType = OperationOutcome.mediaType
    let committer: GroupCommitter
    let metrics: ServerMetrics
    let identifiers: FHIRCaseIdentifiers
    var sources = SourceHistory()

    var routes: [Route] {
        [Route("POST", "/fhir", scope: "ingest") { request in try ingest(request) },
         // What FHIR clients ask first; like /openapi.json, it needs no token.
         Route("GET", "/fhir/metadata", scope: nil) { [identifiers] _ in .now(CapabilityStatement.response(identifiers: identifiers)) }]
    }

    func ingest(_ request: Request) throws -> Reply {
        guard request.mediaType == Self.mediaType || request.mediaType == "application/json" else {
            return .now(OperationOutcome(issues: [.init(severity: .error, code: "not-supported",
                diagnostics: "send the Bundle as application/fhir+json", expression: nil)]).response(status: 415))
        }
        let result: BundleDecoder.Result
        do {
            result = try BundleDecoder(identifiers: identifiers, sources: sources).decode(request.body)
        } catch let problem as FHIRProblem {
            metrics.ingestRejected.add()
            return .now(problem.response)
        }
        // A bound token's Bundle is refused whole, batch or transaction, when it names another case.
        if let limit = request.tokenLimit, let outside = result.batches.first(where: { !limit.admits($0.caseID) }) {
            metrics.ingestRejected.add()
            let problem = limit.refusal(of: outside.caseID)
            var response = OperationOutcome(issues: [.init(severity: .error, code: "forbidden",
                diagnostics: problem.detail + "; nothing stored", expression: nil)]).response(status: 403)
            response.headers.append(contentsOf: problem.headers)
            return .now(response)
        }
        if result.type == .transaction && !result.issues.isEmpty {
            metrics.ingestRejected.add()
            return .now(OperationOutcome(issues: result.issues).response(status: 422))
        }
        guard !result.batches.isEmpty else { return .now(BundleResponse.response(result, counts: [])) }
        let deferred = DeferredResponse()
        let requestID = request.id
        let metrics = self.metrics
        let showsStored = request.scopes.contains("read")
        let sources = self.sources
        committer.submit(result.batches, refusesConflicts: result.type == .transaction) { outcome in
            switch outcome {
            case .success(let counts) where counts.contains(where: \.refused):
                metrics.ingestRejected.add()
                deferred.complete(BundleResponse.refusal(result, counts: counts, showsStored: showsStored))
            case .success(let counts):
                sources.record(result.sources)
                counts.forEach(metrics.recordIngest)
                deferred.complete(BundleResponse.response(result, counts: counts, showsStored: showsStored))
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
}
