/// The TLS versions both listeners take (GnuTLS priority string): 1.2 and
/// 1.3 only. TLS 1.0 and 1.1 are deprecated (RFC 8996) and hospital
/// security baselines refuse them; GnuTLS's default still offers them.
public enum TLSVersions {
    public static let priorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
}
