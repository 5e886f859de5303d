/// What both listeners take (a GnuTLS priority string): TLS 1.2 and 1.3
/// only, as RFC 8996 deprecates 1.0 and 1.1 and hospital security baselines
/// refuse them (GnuTLS's default still offers them); in 1.2, forward-secret
/// key exchange with AEAD ciphers only (AES-GCM, ChaCha20-Poly1305), as
/// Mozilla's "intermediate" profile and BSI TR-02102-2 ask: no CBC with an
/// HMAC-SHA1, no static RSA key exchange.
public enum TLSVersions {
    public static let priorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
        + ":-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD"
        + ":-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:+DHE-RSA"
}
