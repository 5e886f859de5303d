import PhysioCore

/// `--hl7-client-cases NAME=PATTERN[,PATTERN…]`: the cases a gateway whose
/// client certificate has common name NAME may write, as a bound token's
/// (`CasePattern`: ids, or prefixes ending in `*`). A certified gateway that
/// leaks its key cannot add samples to another theatre's patients.
/// Certificates not named write every case, as unbound tokens do.
public struct HL7SenderCases: Sendable, Equatable {
    public private(set) var bindings: [String: [CasePattern]] = [:]

    public init() {}

    /// Nil when an entry is not NAME=PATTERN[,PATTERN…], or names a certificate twice.
    public init?(parsing entries: [String]) {
        for entry in entries {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else { return nil }
            let name = String(entry[..<equals])
            let patterns = entry[entry.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false).map { CasePattern($0) }
            guard !patterns.isEmpty, patterns.allSatisfy({ $0 != nil }), bindings[name] == nil else { return nil }
            bindings[name] = patterns.compactMap { $0 }
        }
    }

    /// The cases the certificate named `name` may write; nil: every case (no binding, or no certificate).
    public func patterns(for name: String?) -> [CasePattern]? { name.flatMap { bindings[$0] } }
}
