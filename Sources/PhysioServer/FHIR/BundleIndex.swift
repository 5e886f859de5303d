import PhysioHTTP

/// The resources a Bundle carries, by the names its references may use: the
/// entry's `fullUrl` (`urn:uuid:…`, an absolute URL) and `Type/id`.
struct BundleIndex {
    struct Target {
        let type: String
        let id: String?
    }

    private var byFullURL: [String: Target] = [:]
    private var byTypeAndID: Set<String> = []

    init(entries: JSONValue?) {
        guard let entries, entries.kind == .array else { return }
        for index in 0..<entries.count {
            guard let entry = entries[index], let resource = entry["resource"], let type = resource["resourceType"]?.string else { continue }
            let id = resource["id"]?.string
            if let fullURL = entry["fullUrl"]?.string { byFullURL[fullURL] = Target(type: type, id: id) }
            if let id { byTypeAndID.insert("\(type)/\(id)") }
        }
    }

    /// The entry whose fullUrl is `url`.
    func entry(fullURL url: String) -> Target? { byFullURL[url] }

    /// Whether an entry is the resource `type/id`.
    func contains(type: String, id: String) -> Bool { byTypeAndID.contains("\(type)/\(id)") }
}
