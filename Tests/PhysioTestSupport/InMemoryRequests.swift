import PhysioHTTP
import Testing

extension Router {
    /// The immediate answer to an in-memory request; a deferred one (a
    /// commit, which needs the database) is recorded as an issue, status 0.
    public func answer(_ request: Request) -> Response {
        guard case .now(let response) = respond(to: request).reply else {
            Issue.record("\(request.method) \(request.path) was deferred: it reached the database")
            return Response(status: 0)
        }
        return response
    }
}

extension Response {
    public var bodyBytes: [UInt8] {
        guard case .bytes(let bytes) = body else { return [] }
        return bytes
    }

    public var bodyText: String { String(decoding: bodyBytes, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}
