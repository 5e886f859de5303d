/// Why a VitalDB download failed.
public enum VitalDBError: Error, CustomStringConvertible, Equatable {
    /// No connection to the host at all (offline, DNS, refused, timed out):
    /// the whole run stops, as every other request would fail the same way.
    case unreachable(host: String, reason: String)
    /// The server answered with an error status.
    case http(url: String, status: Int)
    /// The transfer broke off or delivered fewer bytes than announced.
    case transfer(url: String, reason: String)
    /// The body is not what the URL should serve (e.g. an HTML error page).
    case unexpectedContent(url: String, reason: String)
    case invalidURL(String)

    public var description: String {
        switch self {
        case .unreachable(let host, let reason):
            "cannot reach \(host) (\(reason)). Are you offline? Check the network or proxy, or point --base-url at a mirror; files already in the cache are kept and reused."
        case .http(let url, let status): "\(url): HTTP \(status)"
        case .transfer(let url, let reason): "\(url): download failed (\(reason)); run again to resume"
        case .unexpectedContent(let url, let reason): "\(url): \(reason)"
        case .invalidURL(let url): "invalid URL '\(url)'"
        }
    }

    /// Worth another attempt (server hiccup, broken transfer).
    var isTransient: Bool {
        switch self {
        case .http(_, let status): status >= 500 || status == 429
        case .transfer: true
        default: false
        }
    }
}
