import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#endif

/// An answer written straight to a plain-HTTP socket while libmicrohttpd is
/// still reading the request's body (it queues no response then); the
/// connection is closed right after. Small enough to fit the socket's send
/// buffer, so it never waits.
enum EarlyAnswer {
    static func send(_ response: Response, requestID: String, on connection: OpaquePointer) {
        guard case .bytes(let body) = response.body else { return }
        let socket = physio_mhd_connection_fd(connection)
        guard socket >= 0 else { return }
        var head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "X-Request-Id: \(requestID)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + body
        _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        // End of stream after the answer; the unread rest of the body is the client's problem.
        Glibc.shutdown(socket, Int32(SHUT_WR))
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 413: "Content Too Large"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}
