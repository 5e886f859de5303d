import PhysioCore
import PhysioPlatform
import PhysioHTTP
import PhysioStore

/// The transaction-response or batch-response Bundle: one entry per entry
/// sent, saying `201 Created` only for an Observation whose values were
/// stored (a new instant, or vitals added to one; a warning names each
/// component it carried that is not stored), `200 OK` for one whose
/// values were all stored already or that was ignored (with the reason:
/// also one whose every value a higher-ranked source gave, `SourceRanks`),
/// `409 Conflict` for one with a value that differs from the stored one
/// (the stored value is kept) and nothing else new, `201 Created` with a
/// warning per conflicting value when it also filled empty vitals, `422`
/// for one in error.
enum BundleResponse {
    static func response(_ result: BundleDecoder.Result, counts: [IngestCounts], showsStored: Bool = true) -> Response {
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
            case .sample(let batch, let row, let paths, let notes):
                let sampleCounts = counts[batch]
                let issues: [OperationOutcome.Issue]
                switch sampleCounts.outcome(row: row) {
                case .accepted, .merged:
                    json.field("status", "201 Created")
                    issues = notes
                case .duplicate:
                    json.field("status", "200 OK")
                    issues = [.init(severity: .information, code: "duplicate",
                                    diagnostics: "already stored: every value of this Observation is stored for its time", expression: nil)] + notes
                case .conflict where sampleCounts.conflicting.first(where: { $0.row == row })?.filled.isEmpty == false:
                    // It stored its other values: created, with the conflicting ones named.
                    json.field("status", "201 Created")
                    issues = conflictIssues(sampleCounts, row: row, paths: paths, severity: .warning, showsStored: showsStored) + notes
                case .conflict:
                    json.field("status", "409 Conflict")
                    issues = conflictIssues(sampleCounts, row: row, paths: paths, severity: .error, showsStored: showsStored) + notes
                }
                // A 201 says what of the Observation was not stored, if anything.
                if !issues.isEmpty {
                    json.key("outcome")
                    OperationOutcome(issues: issues).write(to: &json)
                }
            case .ignored(let reason, let expression):
                json.field("status", "200 OK")
                json.key("outcome")
                OperationOutcome(issues: [.init(severity: .information, code: "informational", diagnostics: reason, expression: expression)])
                    .write(to: &json)
            case .otherResource(let reason):
                json.field("status", "200 OK")
                json.key("outcome")
                OperationOutcome(issues: [.init(severity: .information, code: "informational", diagnostics: reason, expression: nil)])
                    .write(to: &json)
            case .outranked(let issues):
                json.field("status", "200 OK")
                json.key("outcome")
                OperationOutcome(issues: issues).write(to: &json)
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
        return Response(status: 200, contentType: OperationOutcome.mediaType, body: json.bytes, headers: headers(result, counts: counts))
    }

    /// A transaction with a conflict is refused whole (FHIR transactions are
    /// atomic): 409, an issue per conflicting value, nothing stored.
    static func refusal(_ result: BundleDecoder.Result, counts: [IngestCounts], showsStored: Bool) -> Response {
        var issues: [OperationOutcome.Issue] = []
        for outcome in result.outcomes {
            guard case .sample(let batch, let row, let paths, _) = outcome, counts[batch].outcome(row: row) == .conflict else { continue }
            issues += conflictIssues(counts[batch], row: row, paths: paths, severity: .error, showsStored: showsStored)
        }
        issues.append(.init(severity: .information, code: "informational",
            diagnostics: "the transaction was not stored: a stored value is never replaced; send the Bundle as a batch to store the entries that do not conflict",
            expression: nil))
        return OperationOutcome(issues: issues).response(status: 409)
    }

    /// One issue per vital whose sent value differs from the stored one,
    /// naming the stored value only to a token that may read it (IngestReply).
    static func conflictIssues(_ counts: IngestCounts, row: Int, paths: [Vital: String], severity: OperationOutcome.Issue.Severity,
                               showsStored: Bool) -> [OperationOutcome.Issue] {
        guard let conflict = counts.conflicting.first(where: { $0.row == row }) else { return [] }
        return conflict.fields.map { field in
            let stored = showsStored ? "is stored as \(field.stored) \(field.vital.unit); " : "has a stored value; "
            return .init(severity: severity, code: "conflict",
                  diagnostics: "\(field.vital.name) at \(Timestamp.format(conflict.timestamp)) \(stored)"
                      + "\(field.sent) differs and was not stored (the first value stored is kept)",
                  expression: paths[field.vital])
        }
    }

    static func headers(_ result: BundleDecoder.Result, counts: [IngestCounts]) -> [(String, String)] {
        [("X-Physio-Samples-Accepted", String(counts.reduce(0) { $0 + $1.accepted })),
         ("X-Physio-Samples-Merged", String(counts.reduce(0) { $0 + $1.merged })),
         ("X-Physio-Samples-Duplicate", String(counts.reduce(0) { $0 + $1.duplicates })),
         ("X-Physio-Samples-Conflict", String(counts.reduce(0) { $0 + $1.conflicts })),
         ("X-Physio-Observations-Ignored", String(result.ignoredObservations))]
    }
}
