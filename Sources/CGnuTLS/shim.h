#ifndef PHYSIO_GNUTLS_SHIM_H
#define PHYSIO_GNUTLS_SHIM_H
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

/* Flag unions and macros Swift cannot use directly, for the MLLP listener's TLS. */

static inline int physio_tls_session_init(gnutls_session_t *session) {
    return gnutls_init(session, GNUTLS_SERVER | GNUTLS_NONBLOCK);
}

/* With requireClientCertificate, the handshake fails unless the client presents
   a certificate that the credentials' trusted authorities signed (mutual TLS). */
static inline int physio_tls_use(gnutls_session_t session, gnutls_certificate_credentials_t credentials, int fd,
                                 const char *priorities, int requireClientCertificate) {
    int result = gnutls_priority_set_direct(session, priorities, NULL);
    if (result < 0) return result;
    result = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials);
    if (result < 0) return result;
    if (requireClientCertificate) {
        gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUIRE);
        gnutls_session_set_verify_cert(session, NULL, 0);
    } else {
        gnutls_certificate_server_set_request(session, GNUTLS_CERT_IGNORE);
    }
    gnutls_transport_set_int2(session, fd, fd);
    return 0;
}

static inline int physio_tls_load_pem(gnutls_certificate_credentials_t credentials,
                                      const char *certificate, unsigned certificateLength,
                                      const char *key, unsigned keyLength) {
    gnutls_datum_t certificateDatum = { (unsigned char *)certificate, certificateLength };
    gnutls_datum_t keyDatum = { (unsigned char *)key, keyLength };
    return gnutls_certificate_set_x509_key_mem(credentials, &certificateDatum, &keyDatum, GNUTLS_X509_FMT_PEM);
}

/* Trusted authorities for client certificates; the number loaded, or a negative error. */
static inline int physio_tls_trust_pem(gnutls_certificate_credentials_t credentials, const char *authorities, unsigned length) {
    gnutls_datum_t datum = { (unsigned char *)authorities, length };
    return gnutls_certificate_set_x509_trust_mem(credentials, &datum, GNUTLS_X509_FMT_PEM);
}

/* The peer's certificate, imported into *certificate (the caller deinits it); negative when there is none. */
static inline int physio_tls_peer_certificate(gnutls_session_t session, gnutls_x509_crt_t *certificate) {
    unsigned count = 0;
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(session, &count);
    if (!peers || count == 0) return -1;
    if (gnutls_x509_crt_init(certificate) < 0) return -1;
    int result = gnutls_x509_crt_import(*certificate, &peers[0], GNUTLS_X509_FMT_DER);
    if (result < 0) gnutls_x509_crt_deinit(*certificate);
    return result;
}

/* The distinguished name of the client's certificate into buffer (NUL-terminated); negative when there is none. */
static inline int physio_tls_peer_name(gnutls_session_t session, char *buffer, size_t size) {
    gnutls_x509_crt_t certificate;
    if (physio_tls_peer_certificate(session, &certificate) < 0) return -1;
    int result = gnutls_x509_crt_get_dn(certificate, buffer, &size);
    gnutls_x509_crt_deinit(certificate);
    return result;
}

/* The common name (CN) of the peer's certificate: what a gateway's
   certificate is bound to cases by. */
static inline int physio_tls_peer_common_name(gnutls_session_t session, char *buffer, size_t size) {
    gnutls_x509_crt_t certificate;
    if (physio_tls_peer_certificate(session, &certificate) < 0) return -1;
    int result = gnutls_x509_crt_get_dn_by_oid(certificate, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buffer, &size);
    gnutls_x509_crt_deinit(certificate);
    return result;
}

/* 1 when the client's certificate may be used by a TLS client: it names no
   purposes (extended key usage), or names TLS client authentication or any
   purpose; 0 when it names only others (a web server's certificate). */
static inline int physio_tls_peer_is_for_clients(gnutls_session_t session) {
    gnutls_x509_crt_t certificate;
    if (physio_tls_peer_certificate(session, &certificate) < 0) return 0;
    int allowed = 1;
    for (unsigned index = 0;; index++) {
        char oid[128];
        size_t size = sizeof oid;
        int result = gnutls_x509_crt_get_key_purpose_oid(certificate, index, oid, &size, NULL);
        if (result == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) break;
        if (result < 0) { allowed = 0; break; }
        if (index == 0) allowed = 0;
        if (strcmp(oid, GNUTLS_KP_TLS_WWW_CLIENT) == 0 || strcmp(oid, GNUTLS_KP_ANY) == 0) { allowed = 1; break; }
    }
    gnutls_x509_crt_deinit(certificate);
    return allowed;
}

/* Why the peer's certificate failed verification (expired, unknown authority…) into buffer; negative when it did not. */
/* How many certificates the peer sent (0: none). */
static inline unsigned physio_tls_peer_certificates(gnutls_session_t session) {
    unsigned count = 0;
    return gnutls_certificate_get_peers(session, &count) == NULL ? 0 : count;
}

static inline int physio_tls_verify_failure(gnutls_session_t session, char *buffer, size_t size) {
    unsigned status = gnutls_session_get_verify_cert_status(session);
    if (status == 0 || size == 0) return -1;
    gnutls_datum_t text = { NULL, 0 };
    if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) < 0) return -1;
    size_t length = text.size < size - 1 ? text.size : size - 1;
    memcpy(buffer, text.data, length);
    buffer[length] = 0;
    gnutls_free(text.data);
    return 0;
}

static inline int physio_tls_would_block(long result) {
    return result == GNUTLS_E_AGAIN || result == GNUTLS_E_INTERRUPTED;
}

static inline void physio_tls_close(gnutls_session_t session) {
    gnutls_bye(session, GNUTLS_SHUT_WR);
    gnutls_deinit(session);
}
#endif
