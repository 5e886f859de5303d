import PhysioClient
import PhysioHTTP

extension HTTPClient.Response {
    /// Reads the body as JSON; the document lives for the duration of `body`.
    public func withJSON<T>(_ read: (JSONValue) -> T?) -> T? {
        guard let document = try? JSONDocument.parse(self.body).get() else { return nil }
        return withExtendedLifetime(document) { read(document.value) }
    }

    public func number(_ key: String) -> Double? { withJSON { $0[key]?.number } }
    public func string(_ key: String) -> String? { withJSON { $0[key]?.string } }
}
