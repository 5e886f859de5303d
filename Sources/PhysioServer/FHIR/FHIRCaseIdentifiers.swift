import PhysioCore

/// Which identifier systems name cases, for references given only by an
/// identifier (`"subject": {"identifier": {"system": S, "value": V}}`, or
/// `Patient?identifier=S|V`). An identifier of a configured system names
/// case PREFIX + V; any other is refused, because the same value in two
/// systems (a record number and a visit number) would merge two patients.
/// Set with `serve --fhir-case-identifier SYSTEM[=PREFIX]`.
public struct FHIRCaseIdentifiers: Sendable, Equatable {
    /// System → prefix of the case id.
    public private(set) var prefixes: [String: String] = [:]

    public init() {}

    /// `SYSTEM` or `SYSTEM=PREFIX`; nil when the prefix cannot begin a case id.
    public init?(parsing rules: [String]) {
        for rule in rules {
            // A system is a URI and may hold '='; the prefix is after the last one.
            let parts = rule.split(separator: "=", omittingEmptySubsequences: false)
            let system = parts.count > 1 ? parts.dropLast().joined(separator: "=") : rule
            let prefix = parts.count > 1 ? String(parts.last!) : ""
            guard !system.isEmpty, prefix.isEmpty || CaseID.isValid(prefix) else { return nil }
            prefixes[system] = prefix
        }
    }

    public var isEmpty: Bool { prefixes.isEmpty }

    /// The case an identifier names: the id, or why there is none.
    func caseID(system: String?, value: String?) -> Result<CaseID, CaseReference.Refusal> {
        guard let system, let value, !value.isEmpty else {
            return .failure(.init(code: "required", detail: "an identifier needs both system and value"))
        }
        guard let prefix = prefixes[system] else {
            let configured = prefixes.keys.sorted().joined(separator: ", ")
            return .failure(.init(code: "not-supported", detail:
                "an identifier of system '\(system.prefix(100))' does not name a case here (configured: \(configured.isEmpty ? "none" : configured)); "
                + "reference the resource, or start the server with --fhir-case-identifier '\(system.prefix(100))'"))
        }
        guard let caseID = CaseID(prefix + value) else {
            return .failure(.init(code: "value", detail:
                "identifier value '\(value.prefix(80))' does not make a case id (\(prefix.isEmpty ? "" : "prefix '\(prefix)' + value; ")\(CaseID.rule))"))
        }
        return .success(caseID)
    }
}
