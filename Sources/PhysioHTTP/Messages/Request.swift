import CMicroHTTPD

/// A received request. Headers and query arguments are read from
/// libmicrohttpd on demand, so they are only valid while the handler runs.
public struct Request: @unchecked Sendable {
    public let method: String
    public let path: String
    public let body: [UInt8]
    public let id: String
    public internal(set) var pathParameters: [String: String] = [:]
    /// Scopes granted by the bearer token (empty on open routes).
    public internal(set) var scopes: Set<String> = []
    /// Name of the token that authenticated the request, for audit logs.
    public internal(set) var principal: String?
    /// Id of that token.
    public internal(set) var tokenID: Int?
    /// What that token may name, when it is bound.
    public internal(set) var tokenLimit: TokenLimit?
    let connection: OpaquePointer?
    /// Headers and query arguments of a request made without a connection.
    private let fields: Fields?

    private struct Fields: Sendable {
        let headers: [(String, String)]
        let query: [(String, String)]
    }

    init(method: String, path: String, body: [UInt8], id: String, connection: OpaquePointer?) {
        self.method = method
        self.path = path
        self.body = body
        self.id = id
        self.connection = connection
        fields = nil
    }

    /// A request held in memory, answered without a socket (`Router.respond`):
    /// router tests, and callers inside the process. Query values are as
    /// they would be after percent-decoding.
    public init(method: String, path: String, headers: [(String, String)] = [], query: [(String, String)] = [],
                body: [UInt8] = [], id: String = "in-memory") {
        self.method = method
        self.path = path
        self.body = body
        self.id = id
        connection = nil
        fields = Fields(headers: headers, query: query)
    }

    public func header(_ name: String) -> String? {
        if let fields { return fields.headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        guard let connection, let value = MHD_lookup_connection_value(connection, MHD_ValueKind.HEADER_KIND, name) else { return nil }
        return String(cString: value)
    }

    /// A query argument, already percent-decoded. An argument given without
    /// `=` reads as the empty string.
    public func query(_ name: String) -> String? {
        if let fields { return fields.query.first { $0.0 == name }?.1 }
        guard let connection else { return nil }
        var value: UnsafePointer<CChar>?
        var length = 0
        guard MHD_lookup_connection_value_n(connection, MHD_ValueKind.GET_ARGUMENT_KIND, name, name.utf8.count,
                                            &value, &length) == MHD_Result.YES else { return nil }
        guard let value else { return "" }
        return value.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// Names of every query argument, to reject unknown ones.
    public var queryNames: [String] {
        if let fields { return fields.query.map(\.0) }
        guard let connection else { return [] }
        var names: [String] = []
        withUnsafeMutablePointer(to: &names) { pointer in
            _ = MHD_get_connection_values(connection, MHD_ValueKind.GET_ARGUMENT_KIND, collectKeys, pointer)
        }
        return names
    }

    /// The media type of the body without parameters, lowercased.
    public var mediaType: String? {
        guard let contentType = header("Content-Type") else { return nil }
        let type = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return type.trimmingSpaces.lowercased()
    }
}

private func collectKeys(_ context: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind,
                         _ key: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?) -> MHD_Result {
    if let key { context!.assumingMemoryBound(to: [String].self).pointee.append(String(cString: key)) }
    return MHD_Result.YES
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    public var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
