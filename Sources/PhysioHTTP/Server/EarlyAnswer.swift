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

    /// libmicrohttpd's own reason phrases, as its queued responses carry.
    private static func reason(_ status: Int) -> String {
        MHD_get_reason_phrase_for(UInt32(status)).map { String(cString: $0) } ?? "Error"
    }
}
