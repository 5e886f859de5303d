import PhysioCore
import PhysioHTTP
import PhysioPlatform

/// FHIR's error and information resource.
struct OperationOutcome {
    /// What every FHIR answer is sent as.
    static let mediaType = "application/fhir+json"

    struct Issue {
        enum Severity: String { case error, warning, information }
        let severity: Severity
        /// FHIR issue type: invalid, required, value, not-supported, informational, exception…
        let code: String
        let diagnostics: String
        /// Where, as FHIRPaths, e.g. Bundle.entry[2].resource.effectiveDateTime;
        /// two when the fault is between two fields (a vital given twice).
        let expressions: [String]

        init(severity: Severity, code: String, diagnostics: String, expression: String?) {
            self.init(severity: severity, code: code, diagnostics: diagnostics, expressions: expression.map { [$0] } ?? [])
        }

        init(severity: Severity, code: String, diagnostics: String, expressions: [String]) {
            self.severity = severity
            self.code = code
            self.diagnostics = diagnostics
            self.expressions = expressions
        }
    }

    var issues: [Issue] = []

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("resourceType", "OperationOutcome")
        json.key("issue")
        json.beginArray()
        for issue in issues.prefix(100) {
            json.beginObject()
            json.field("severity", issue.severity.rawValue)
            json.field("code", issue.code)
            json.field("diagnostics", issue.diagnostics)
            if !issue.expressions.isEmpty {
                json.key("expression")
                json.beginArray()
                issue.expressions.forEach { json.value($0) }
                json.endArray()
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }

    func response(status: Int) -> Response {
        var json = JSONWriter(capacity: 256 * issues.count + 64)
        write(to: &json)
        return Response(status: status, contentType: Self.mediaType, body: json.bytes)
    }
}
