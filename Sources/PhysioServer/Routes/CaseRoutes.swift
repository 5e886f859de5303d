import PhysioCore
import PhysioHTTP

/// Shared handling of the `{case_id}` path parameter.
enum CaseRoutes {
    static func caseID(_ request: Request) throws -> String {
        let caseID = request.pathParameters["case_id"] ?? ""
        guard CaseID.isValid(caseID) else {
            throw Problem.badRequest("case id '\(caseID.prefix(80))' must match [A-Za-z0-9._-]{1,64}")
        }
        return caseID
    }
}
