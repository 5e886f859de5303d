import CLibPQ

/// What of a libpq connection string (URL or key=value) must never be printed:
/// its password. libpq quotes parts of a malformed URL in its errors
/// (`invalid percent-encoded token: "s3cr%ZZet"`, or the whole URL for a bad
/// IPv6 host), so every message that may carry them goes through `scrub`.
public enum DatabaseURL {
    /// nil when libpq can parse `url`, else why not, without the password.
    public static func problem(_ url: String) -> String? {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &error) else {
            let message = error.map { String(cString: $0).trimmed } ?? "not a libpq connection string"
            if let error { PQfreemem(error) }
            return scrub(message, url: url)
        }
        PQconninfoFree(options)
        return nil
    }

    /// `text` with every form of `url`'s password replaced by `***`.
    public static func scrub(_ text: String, url: String) -> String {
        var scrubbed = text
        for secret in secrets(in: url).sorted(by: { $0.count > $1.count }) {
            scrubbed = scrubbed.replacing(secret, with: "***")
        }
        return scrubbed
    }

    /// The password as written (raw, in the user info or a `password`
    /// parameter) and as libpq reads it (decoded), when it can.
    static func secrets(in url: String) -> Set<String> {
        var found = Set<String>()
        // postgres[ql]://user:password@host…: user info ends at the first '@'
        // or '/', as libpq reads it.
        for scheme in ["postgresql://", "postgres://"] where url.hasPrefix(scheme) {
            let rest = url.dropFirst(scheme.count)
            if let end = rest.firstIndex(where: { $0 == "@" || $0 == "/" }), rest[end] == "@",
               let colon = rest[..<end].firstIndex(of: ":") {
                found.insert(String(rest[rest.index(after: colon)..<end]))
            }
        }
        // password=… in a URL query or a key=value string.
        var search = url[...]
        while let range = search.firstRange(of: "password") {
            var value = search[range.upperBound...].drop { $0 == " " }
            if value.first == "=" {
                value = value.dropFirst().drop { $0 == " " }
                let quoted = value.first == "'"
                if quoted { value = value.dropFirst() }
                found.insert(String(value.prefix { quoted ? $0 != "'" : !($0 == "&" || $0 == " ") }))
            }
            search = search[range.upperBound...]
        }
        if let parsed = PQconninfoParse(url, nil) {
            var option = parsed
            while let keyword = option.pointee.keyword {
                if String(cString: keyword) == "password", let value = option.pointee.val { found.insert(String(cString: value)) }
                option += 1
            }
            PQconninfoFree(parsed)
        }
        found.remove("")
        return found
    }
}
