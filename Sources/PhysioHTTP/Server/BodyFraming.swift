import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#endif

/// What a request's headers say about its body, checked before a byte of it
/// is read. libmicrohttpd 0.9.75 takes the first of two Content-Length
/// headers, waits for a body it cannot frame (an unknown Transfer-Encoding)
/// until the client gives up, and takes HTTP/1.1 without a Host; all are
/// answered here.
struct BodyFraming {
    enum Coding: Equatable {
        case identity, gzip, deflate
    }

    /// nil when the request has no body.
    var declaredLength: Int?
    var isChunked = false
    var coding = Coding.identity

    var hasBody: Bool { isChunked || (declaredLength ?? 0) > 0 }

    /// Why a request cannot be read, as its answer (the connection then closes).
    struct Refusal: Error {
        let problem: Problem
    }

    static let acceptedCodings = "gzip, deflate"

    /// The framing of `connection`'s request, or the answer that refuses it:
    /// 400 for Content-Length given twice or beside Transfer-Encoding (RFC 9112
    /// §6.3: either could be a smuggling attempt), 400 for HTTP/1.1 with no
    /// Host and any request with several (RFC 9112 §3.2), 501 for a transfer coding
    /// other than chunked, 415 for a content coding other than gzip or deflate.
    static func read(_ connection: OpaquePointer, version: String) throws(Refusal) -> BodyFraming {
        var headers = FramingHeaders()
        withUnsafeMutablePointer(to: &headers) { pointer in
            _ = MHD_get_connection_values(connection, MHD_ValueKind.HEADER_KIND, collectFramingHeader, pointer)
        }
        return try decide(headers, version: version)
    }

    static func decide(_ headers: FramingHeaders, version: String) throws(Refusal) -> BodyFraming {
        // libmicrohttpd keeps `Content-Length : 5` as a header named
        // "Content-Length ", which no check here would see; a proxy in front
        // might frame the body by it (RFC 9112 §5.1: answer 400).
        if let name = headers.malformedName {
            throw Refusal(problem: .badRequest("header name '\(name.prefix(40))' holds a character a name may not (whitespace before the colon?)"))
        }
        if headers.host.count > 1 { throw Refusal(problem: .badRequest("Host is given more than once; send it once")) }
        if version == "HTTP/1.1" && headers.host.isEmpty {
            throw Refusal(problem: .badRequest("an HTTP/1.1 request needs a Host header (RFC 9112 §3.2)"))
        }
        var framing = BodyFraming()
        let lengths = headers.contentLength.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        if lengths.count > 1 {
            throw Refusal(problem: .badRequest("Content-Length is given more than once; send it once"))
        }
        if !headers.transferEncoding.isEmpty {
            if !lengths.isEmpty {
                throw Refusal(problem: .badRequest("Content-Length and Transfer-Encoding together are ambiguous; send one"))
            }
            let codings = tokens(headers.transferEncoding)
            guard codings == ["chunked"] else {
                throw Refusal(problem: Problem(status: 501, title: "Not Implemented",
                                               detail: "Transfer-Encoding '\(headers.transferEncoding.joined(separator: ", ").prefix(80))' is not supported; use chunked or Content-Length"))
            }
            framing.isChunked = true
        } else if let length = lengths.first {
            // libmicrohttpd has already refused a length that is not a number.
            framing.declaredLength = Int(length.trimmingSpaces)
        }
        guard framing.hasBody else { return framing }
        let codings = tokens(headers.contentEncoding).filter { $0 != "identity" }
        switch codings {
        case []: framing.coding = .identity
        case ["gzip"], ["x-gzip"]: framing.coding = .gzip
        case ["deflate"]: framing.coding = .deflate
        default:
            throw Refusal(problem: Problem(
                status: 415, title: "Unsupported Media Type",
                detail: "Content-Encoding '\(headers.contentEncoding.joined(separator: ", ").prefix(80))' is not supported; send gzip, deflate or no encoding",
                headers: [("Accept-Encoding", acceptedCodings)]))
        }
        return framing
    }

    /// The comma-separated tokens of every value, lowercased, without empties.
    private static func tokens(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces.lowercased() }.filter { !$0.isEmpty }
    }
}

/// Every value of the headers that frame a request (a header may come more than once).
struct FramingHeaders {
    var host: [String] = []
    var contentLength: [String] = []
    var transferEncoding: [String] = []
    var contentEncoding: [String] = []
    /// The first header name with a byte outside RFC 9110's token characters.
    var malformedName: String?

    /// RFC 9110 §5.6.2 `tchar`, by byte.
    static let tokenBytes: [Bool] = (0..<256).map { byte in
        let c = UInt8(byte)
        return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || Array("!#$%&'*+-.^_`|~".utf8).contains(c)
    }

    static func isToken(_ name: UnsafePointer<CChar>) -> Bool {
        var pointer = name
        while pointer.pointee != 0 {
            if !tokenBytes[Int(UInt8(bitPattern: pointer.pointee))] { return false }
            pointer += 1
        }
        return pointer != name
    }
}

private func collectFramingHeader(_ context: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind,
                                  _ key: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?) -> MHD_Result {
    guard let context, let key else { return MHD_Result.YES }
    // Most headers are none of these: compare without making Strings.
    let headers = context.assumingMemoryBound(to: FramingHeaders.self)
    func text() -> String { value.map { String(cString: $0) } ?? "" }
    if headers.pointee.malformedName == nil && !FramingHeaders.isToken(key) {
        headers.pointee.malformedName = String(cString: key)
    }
    if strcasecmp(key, "Content-Length") == 0 {
        headers.pointee.contentLength.append(text())
    } else if strcasecmp(key, "Transfer-Encoding") == 0 {
        headers.pointee.transferEncoding.append(text())
    } else if strcasecmp(key, "Content-Encoding") == 0 {
        headers.pointee.contentEncoding.append(text())
    } else if strcasecmp(key, "Host") == 0 {
        headers.pointee.host.append(text())
    }
    return MHD_Result.YES
}
