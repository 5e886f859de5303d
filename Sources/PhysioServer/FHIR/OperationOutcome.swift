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
        /// Where, as a FHIRPath, e.g. Bundle.entry[2].resource.effectiveDateTime.
        let expression: String?
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
            if let expression = issue.expression {
                json.key("expression")
                json.beginArray()
                json.value(expression)
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
