@testable import PhysioHTTP
import PhysioPlatform
import Testing

/// libmicrohttpd's messages, as it printed them in a CI run: a client going
/// away is routine (debug), the rest stays a warning. Until 2026-12-07 each
/// closed dashboard stream logged a warning.
struct ServerLibraryMessageTests {
    @Test(arguments: [
        "Connection socket is closed when reading request due to the error: detected connection closure",
        "Connection was closed by remote side with incomplete request.",
        "Failed to send the chunked response body for the request for `/exports/vitals'. Error: The connection was forcibly closed by remote peer",
        "Failed to send the footers for the request for `/cases/or-1/stream'. Error: The socket is no longer available for sending",
    ])
    func aClientGoingAwayIsRoutine(message: String) {
        #expect(ServerLibraryMessage.level(of: message) == .debug)
    }

    @Test(arguments: [
        "Server reached connection limit. Closing inbound connection.",
        "Failed to bind to port 8080: Address already in use",
        "Error: received handshake message out of context.",
        "Application reported internal error, closing connection.",
    ])
    func theRestIsAWarning(message: String) {
        #expect(ServerLibraryMessage.level(of: message) == .warning)
    }
}
