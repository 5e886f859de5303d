import PhysioHTTP
import PhysioStore
import PhysioCore
import PhysioPlatform

/// The one policy for a failed database operation, whichever route or
/// protocol answers: "down or restarting" is 503 with Retry-After (try
/// again; ingest is idempotent); anything else is 500, logged with the
/// request id, its cause never shown to the client.
enum DatabaseProblems {
    static let retryAfterSeconds = 2

    static func problem(for error: DatabaseError, requestID: String,
                        unavailable detail: String = "the database is unavailable; retry shortly",
                        failed context: String = "database error") -> Problem {
        if error.isUnavailable { return .serviceUnavailable(detail, retryAfterSeconds: retryAfterSeconds) }
        Log.error(context, ["request_id": .string(requestID), "error": .string(error.description)])
        return .internalError(requestID: requestID)
    }

    /// For the router: what a handler threw, if it is a database error.
    static func problem(for error: Error, request: Request) -> Problem? {
        guard let error = error as? DatabaseError else { return nil }
        return problem(for: error, requestID: request.id)
    }

    /// Any error of a request answered off the router (an export): a
    /// Problem as it is, a database error as above, anything else 500.
    static func answer(for error: Error, requestID: String) -> Problem {
        if let problem = error as? Problem { return problem }
        if let error = error as? DatabaseError { return problem(for: error, requestID: requestID) }
        Log.error("request failed", ["request_id": .string(requestID), "error": .string(String(describing: error))])
        return .internalError(requestID: requestID)
    }
}
