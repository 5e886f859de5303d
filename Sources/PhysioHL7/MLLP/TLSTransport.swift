import CGnuTLS
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The certificate and key the listener presents (the HTTP port's own),
/// loaded once, and the authorities whose client certificates it requires
/// when given.
final class TLSCredentials: @unchecked Sendable {
    let credentials: gnutls_certificate_credentials_t
    let requiresClientCertificate: Bool

    init(certificatePEM: String, keyPEM: String, clientAuthoritiesPEM: String? = nil) throws {
        requiresClientCertificate = clientAuthoritiesPEM != nil
        var credentials: gnutls_certificate_credentials_t?
        guard gnutls_certificate_allocate_credentials(&credentials) == 0, let credentials else {
            throw MLLPServerError.tls("cannot allocate credentials")
        }
        self.credentials = credentials
        let result = certificatePEM.withCString { certificate in
            keyPEM.withCString { key in
                physio_tls_load_pem(credentials, certificate, UInt32(strlen(certificate)), key, UInt32(strlen(key)))
            }
        }
        // Fully initialised from here: a throw runs deinit, which frees the credentials.
        guard result >= 0 else {
            throw MLLPServerError.tls("the certificate or key was refused: \(String(cString: gnutls_strerror(result)))")
        }
        if let clientAuthoritiesPEM {
            let loaded = clientAuthoritiesPEM.withCString { physio_tls_trust_pem(credentials, $0, UInt32(strlen($0))) }
            guard loaded > 0 else {
                throw MLLPServerError.tls("no client certificate authority could be read from the PEM given"
                                          + (loaded < 0 ? ": \(String(cString: gnutls_strerror(loaded)))" : ""))
            }
        }
    }

    deinit { gnutls_certificate_free_credentials(credentials) }
}

/// TLS over a non-blocking socket with GnuTLS (the library libmicrohttpd
/// serves HTTPS with): the handshake and records advance as epoll reports
/// the socket ready, never waiting.
final class TLSTransport: MLLPTransport {
    private let descriptor: Int32
    private let client: String
    private let requiresClientCertificate: Bool
    private let session: gnutls_session_t
    private weak var server: MLLPServer?
    private(set) var established = false
    var isEstablished: Bool { established }
    private(set) var peerCommonName: String?
    /// A record send that returned EAGAIN must be finished (GnuTLS keeps its data).
    private var sendInterrupted = false

    init(descriptor: Int32, client: String, credentials: TLSCredentials, server: MLLPServer) throws {
        var session: gnutls_session_t?
        guard physio_tls_session_init(&session) == 0, let session else { throw MLLPServerError.tls("cannot start a session") }
        guard physio_tls_use(session, credentials.credentials, descriptor, TLSVersions.priorities,
                             credentials.requiresClientCertificate ? 1 : 0) == 0 else {
            gnutls_deinit(session)
            throw MLLPServerError.tls("cannot configure a session")
        }
        self.descriptor = descriptor
        self.client = client
        self.requiresClientCertificate = credentials.requiresClientCertificate
        self.session = session
        self.server = server
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        if !established, let pending = handshake() { return pending }
        let result = gnutls_record_recv(session, buffer.baseAddress, buffer.count)
        if result > 0 { return .bytes(result) }
        if result == 0 { return .closed }
        if physio_tls_would_block(result) != 0 { return .wouldBlock(wantsWrite: gnutls_record_get_direction(session) == 1) }
        if result == Int(GNUTLS_E_REHANDSHAKE) { return .wouldBlock(wantsWrite: false) }
        return gnutls_error_is_fatal(Int32(result)) != 0 ? .failed : .wouldBlock(wantsWrite: false)
    }

    func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        if !established {
            if let pending = handshake() { return pending }
        }
        let result = sendInterrupted
            ? gnutls_record_send(session, nil, 0)
            : gnutls_record_send(session, bytes.baseAddress, min(bytes.count, 16384))
        if result > 0 {
            sendInterrupted = false
            return .bytes(result)
        }
        if physio_tls_would_block(result) != 0 {
            sendInterrupted = true
            return .wouldBlock(wantsWrite: true)
        }
        return .failed
    }

    var hasBufferedInput: Bool { established && gnutls_record_check_pending(session) > 0 }

    func close() {
        physio_tls_close(session)
        Glibc.close(descriptor)
    }

    /// What certificate verification found, when it failed.
    private func verifyFailure() -> String? {
        var buffer = [CChar](repeating: 0, count: 512)
        guard physio_tls_verify_failure(session, &buffer, buffer.count) >= 0 else { return nil }
        return String(nulTerminated: buffer)
    }

    private func peerName() -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        guard physio_tls_peer_name(session, &buffer, buffer.count) >= 0 else { return "" }
        return String(nulTerminated: buffer)
    }

    private func commonName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard physio_tls_peer_common_name(session, &buffer, buffer.count) >= 0 else { return "" }
        return String(nulTerminated: buffer)
    }

    /// nil once the handshake is done; else what the caller should report.
    private func handshake() -> TransportResult? {
        let result = gnutls_handshake(session)
        if result == 0 {
            if requiresClientCertificate {
                // GnuTLS checked the chain; a certificate issued for another use (a web server's) is refused here.
                guard physio_tls_peer_is_for_clients(session) == 1 else {
                    Log.info("HL7 TLS handshake refused", ["client": .string(client), "subject": .string(peerName()),
                                                           "reason": "the certificate is not for TLS clients (extended key usage)"])
                    server?.handshakeFailed()
                    return .failed
                }
                // Which gateway connected, once per connection (they stay open for hours).
                Log.info("HL7 sender's certificate accepted", ["client": .string(client), "subject": .string(peerName())])
                peerCommonName = commonName()
            }
            established = true
            return nil
        }
        if physio_tls_would_block(Int(result)) != 0 { return .wouldBlock(wantsWrite: gnutls_record_get_direction(session) == 1) }
        if gnutls_error_is_fatal(result) == 0 { return .wouldBlock(wantsWrite: false) }
        if requiresClientCertificate {
            // With no certificate to verify, the verification status lists every failure there is: say what happened.
            let reason = verifyFailure().map { physio_tls_peer_certificates(session) == 0 ? "the sender presented no certificate" : $0 }
                ?? String(cString: gnutls_strerror(result))
            Log.info("HL7 TLS handshake refused", ["client": .string(client), "reason": .string(reason)])
        }
        server?.handshakeFailed()
        return .failed
    }
}
