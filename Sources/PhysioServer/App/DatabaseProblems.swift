import PhysioHTTP
import PhysioStore
import PhysioCore
import PhysioPlatform

/// How database failures reach clients: "down or restarting" is 503 with
/// Retry-After (try again; ingest is idempotent); anything else is 500.
enum DatabaseProblems {
    static let retryAfterSeconds = 2

    static func problem(for error: Error, request: Request) -> Problem? {
        guard let error = error as? DatabaseError else { return nil }
        if error.isUnavailable {
            return .serviceUnavailable("the database is unavailable; retry shortly", retryAfterSeconds: retryAfterSeconds)
        }
        Log.error("database error", ["request_id": .string(request.id), "error": .string(error.description)])
        return .internalError(requestID: request.id)
    }
}
