import PhysioPlatform

/// A method and path pattern (`/cases/{case_id}/vitals`) with its handler and
/// the token scope it needs (nil: open to anyone).
public struct Route: Sendable {
    public typealias Handler = @Sendable (Request) throws -> Reply

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public let method: String
    public let pattern: String
    public let scope: String?
    public let handler: Handler
    let segments: [Segment]

    public init(_ method: String, _ pattern: String, scope: String?, handler: @escaping Handler) {
        self.method = method
        self.pattern = pattern
        self.scope = scope
        self.handler = handler
        self.segments = Route.split(pattern).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
    }

    /// Whether a request body can mean anything to this route: not to a GET
    /// or HEAD, whose answer no body changes, so none is read for them.
    public var takesBody: Bool { method != "GET" && method != "HEAD" }

    /// Path parameters if `parts` matches this route's pattern.
    func match(_ parts: [Substring]) -> [String: String]? {
        guard parts.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            // Bytes, not Unicode equivalence: a path is what the client sent.
            case .literal(let literal): if !literal.utf8.elementsEqual(part.utf8) { return nil }
            case .parameter(let name): parameters[name] = String(part)
            }
        }
        return parameters
    }

    /// The segments after the leading "/", empty ones kept.
    static func split(_ path: String) -> [Substring] {
        Array(path.segments(separatedBy: UInt8(ascii: "/")).dropFirst())
    }
}
