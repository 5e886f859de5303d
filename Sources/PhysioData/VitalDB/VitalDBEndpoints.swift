import PhysioCore
import PhysioPlatform

/// The VitalDB open-dataset API (https://api.vitaldb.net, documented in
/// `snuhvitallab/vitaldb-docs` API/Web_API_OpenDataset.md and used by the
/// `vitaldb` Python package): `/cases` and `/trks` are gzip'd CSV tables with
/// a header row; `/NNNN.vital` is case NNNN's whole recording (4 digits, zero
/// padded, e.g. https://api.vitaldb.net/0001.vital).
public struct VitalDBEndpoints: Sendable {
    public static let defaultBaseURL = "https://api.vitaldb.net"

    /// Without a trailing slash.
    public let baseURL: String

    public init(baseURL: String = VitalDBEndpoints.defaultBaseURL) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
    }

    public var cases: String { baseURL + "/cases" }
    public var tracks: String { baseURL + "/trks" }

    public func vitalFile(caseID: Int) -> String { baseURL + "/" + Self.vitalFileName(caseID: caseID) }

    /// "0001.vital": the API's name, also used in the cache.
    public static func vitalFileName(caseID: Int) -> String { zeroPadded(caseID, width: 4) + ".vital" }

    /// "api.vitaldb.net" (for messages).
    public var host: String {
        var rest = Substring(baseURL)
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") { rest = rest[rest.index(colon, offsetBy: 3)...] }
        return String(rest.prefix { $0 != "/" })
    }
}
