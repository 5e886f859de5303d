/// Who a bearer token belongs to and what it may do.
public struct TokenGrant: Sendable {
    public let name: String
    public let scopes: Set<String>
    /// The token's id, for what outlives the request (a live stream ends
    /// when its token is revoked; exports are counted per token).
    public let tokenID: Int?
    /// What the token may name, when it is bound (a monitor's token to its theatre's cases).
    public let limit: TokenLimit?
    public init(name: String, scopes: Set<String>, tokenID: Int? = nil, limit: TokenLimit? = nil) {
        self.name = name
        self.scopes = scopes
        self.tokenID = tokenID
        self.limit = limit
    }
}

/// The values of one path parameter a token may name (HTTP knows no domain:
/// the server says which parameter and which values). The router refuses a
/// path outside it from the headers; a handler that finds such values in a
/// body asks `admits` itself.
public struct TokenLimit: Sendable {
    public let parameter: String
    /// What the token may name, for refusals: "cases or7-*".
    public let description: String
    public let admits: @Sendable (String) -> Bool

    public init(parameter: String, description: String, admits: @escaping @Sendable (String) -> Bool) {
        self.parameter = parameter
        self.description = description
        self.admits = admits
    }

    /// 403: the token is valid but bound elsewhere (RFC 6750's insufficient_scope: it needs a wider token).
    public func refusal(of value: String) -> Problem {
        Problem(status: 403, title: "Forbidden", detail: "this token may write only \(description), not '\(value.prefix(80))'",
                headers: [("WWW-Authenticate", #"Bearer realm="physio", error="insufficient_scope""#)])
    }
}
