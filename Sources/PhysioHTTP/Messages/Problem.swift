import PhysioPlatform

/// An error answer in RFC 9457 `application/problem+json`. Handlers throw
/// it; the server turns it into the response.
public struct Problem: Error, Sendable, CustomStringConvertible {
    /// One failed field, for answers that name where the input went wrong.
    public struct FieldError: Sendable {
        public let pointer: String   // JSON Pointer into the request, e.g. /samples/3/hr
        public let detail: String
        public let sample: Int?
        public let field: String?

        public init(pointer: String, detail: String, sample: Int? = nil, field: String? = nil) {
            self.pointer = pointer
            self.detail = detail
            self.sample = sample
            self.field = field
        }
    }

    public let status: Int
    public let title: String
    public let detail: String
    public let type: String
    public var errors: [FieldError] = []
    public var headers: [(String, String)] = []

    public init(status: Int, title: String, detail: String, type: String = "about:blank",
                errors: [FieldError] = [], headers: [(String, String)] = []) {
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.errors = errors
        self.headers = headers
    }

    public var description: String { "\(status) \(title): \(detail)" }

    public static func badRequest(_ detail: String) -> Problem {
        Problem(status: 400, title: "Bad Request", detail: detail)
    }
    public static func unauthorized(_ detail: String) -> Problem {
        Problem(status: 401, title: "Unauthorized", detail: detail,
                headers: [("WWW-Authenticate", #"Bearer realm="physio""#)])
    }
    public static func invalidToken(_ detail: String) -> Problem {
        Problem(status: 401, title: "Unauthorized", detail: detail,
                headers: [("WWW-Authenticate", #"Bearer realm="physio", error="invalid_token""#)])
    }
    public static func forbidden(_ detail: String, scope: String) -> Problem {
        Problem(status: 403, title: "Forbidden", detail: detail,
                headers: [("WWW-Authenticate", #"Bearer realm="physio", error="insufficient_scope", scope="\#(scope)""#)])
    }
    public static func notFound(_ detail: String) -> Problem {
        Problem(status: 404, title: "Not Found", detail: detail)
    }
    public static func methodNotAllowed(_ method: String, allowed: [String]) -> Problem {
        Problem(status: 405, title: "Method Not Allowed",
                detail: "\(method) is not allowed here; use \(allowed.joined(separator: ", "))",
                headers: [("Allow", allowed.joined(separator: ", "))])
    }
    public static func notAcceptable(_ detail: String) -> Problem {
        Problem(status: 406, title: "Not Acceptable", detail: detail)
    }
    public static func conflict(_ detail: String) -> Problem {
        Problem(status: 409, title: "Conflict", detail: detail)
    }
    public static func payloadTooLarge(_ detail: String) -> Problem {
        Problem(status: 413, title: "Content Too Large", detail: detail)
    }
    public static func unsupportedMediaType(_ detail: String, accepted: [String]) -> Problem {
        Problem(status: 415, title: "Unsupported Media Type", detail: detail,
                headers: [("Accept-Post", accepted.joined(separator: ", "))])
    }
    public static func unprocessable(_ errors: [FieldError]) -> Problem {
        let detail = errors.count == 1 ? errors[0].detail
            : "\(errors[0].detail) (and \(errors.count - 1) more error\(errors.count == 2 ? "" : "s"))"
        return Problem(status: 422, title: "Unprocessable Content", detail: detail, errors: errors)
    }
    public static func serviceUnavailable(_ detail: String, retryAfterSeconds: Int = 2) -> Problem {
        Problem(status: 503, title: "Service Unavailable", detail: detail,
                headers: [("Retry-After", String(retryAfterSeconds))])
    }
    public static func internalError(requestID: String) -> Problem {
        Problem(status: 500, title: "Internal Server Error",
                detail: "the server failed to answer; see its log for request \(requestID)")
    }

    public var response: Response {
        var json = JSONWriter(capacity: 256)
        json.beginObject()
        json.field("type", type)
        json.field("title", title)
        json.field("status", status)
        json.field("detail", detail)
        if !errors.isEmpty {
            json.key("errors")
            json.beginArray()
            for error in errors {
                json.beginObject()
                json.field("pointer", error.pointer)
                json.field("detail", error.detail)
                if let sample = error.sample { json.field("sample", sample) }
                if let field = error.field { json.field("field", field) }
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
        return Response(status: status, contentType: "application/problem+json", body: json.bytes, headers: headers)
    }
}
