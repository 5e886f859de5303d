import PhysioCore
import PhysioHTTP

/// The case an Observation's Reference names, as FHIR tools write it:
///
/// * `urn:uuid:…` / `urn:oid:…`: an entry of the same Bundle (its
///   `fullUrl`), whose resource id is the case id (the uuid itself when the
///   entry has no id), as Synthea and most generators write;
/// * `Type/id`, with or without a version (`/_history/2`, stripped) or a
///   server base before it (`https://ehr.example/fhir/Type/id`): the id;
/// * `Type?identifier=system|value`, or a Reference with only an
///   `identifier`: by `FHIRCaseIdentifiers`;
/// * a contained resource (`#id`) names no case and is refused.
struct CaseReference {
    struct Refusal: Error {
        /// FHIR issue type: invalid, value, required, not-supported.
        let code: String
        let detail: String
    }

    let index: BundleIndex
    let identifiers: FHIRCaseIdentifiers

    /// The case `reference` (a Reference object) names; `types` are the
    /// resource types the field may point at.
    func caseID(_ reference: JSONValue, types: Set<String>) -> Result<CaseID, Refusal> {
        guard reference.kind == .object else { return .failure(.init(code: "structure", detail: "a Reference must be an object")) }
        if let text = reference["reference"]?.string { return caseID(reference: text, types: types) }
        if let identifier = reference["identifier"], identifier.kind == .object {
            return identifiers.caseID(system: identifier["system"]?.string, value: identifier["value"]?.string)
        }
        return .failure(.init(code: "required", detail: "the Reference has neither a reference nor an identifier"))
    }

    private func caseID(reference text: String, types: Set<String>) -> Result<CaseID, Refusal> {
        let shown = "'\(text.prefix(120))'"
        if text.hasPrefix("#") {
            return .failure(.init(code: "not-supported", detail: "\(shown) is a contained resource, which names no case; reference the Patient, Encounter or Device"))
        }
        if text.hasPrefix("urn:uuid:") || text.hasPrefix("urn:oid:") {
            guard let target = index.entry(fullURL: text) else {
                return .failure(.init(code: "not-found", detail: "\(shown) is not the fullUrl of any entry in this Bundle"))
            }
            guard types.contains(target.type) else { return .failure(wrongType(target.type, shown, types)) }
            let id = target.id ?? String(text.split(separator: ":").last ?? "")
            return validCase(id, shown)
        }
        if let query = text.firstIndex(of: "?") {
            let type = String(text[..<query]).split(separator: "/").last.map(String.init) ?? ""
            guard types.contains(type) else { return .failure(wrongType(type, shown, types)) }
            return conditional(String(text[text.index(after: query)...]), shown)
        }
        // [base/]Type/id[/_history/version]
        var segments = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if segments.count >= 4 && segments[segments.count - 2] == "_history" { segments.removeLast(2) }
        guard segments.count >= 2, let id = segments.last, !id.isEmpty else {
            return .failure(.init(code: "invalid", detail: "\(shown) is not a reference of the form Type/id"))
        }
        let type = segments[segments.count - 2]
        guard types.contains(type) else { return .failure(wrongType(type, shown, types)) }
        return validCase(id, shown)
    }

    /// `identifier=system|value`, the only search a conditional reference may use here.
    private func conditional(_ query: String, _ shown: String) -> Result<CaseID, Refusal> {
        let parameters = query.split(separator: "&")
        guard parameters.count == 1, parameters[0].hasPrefix("identifier="),
              let bar = parameters[0].firstIndex(of: "|") else {
            return .failure(.init(code: "not-supported", detail: "\(shown): a conditional reference must be Type?identifier=system|value"))
        }
        let system = String(parameters[0][parameters[0].index(parameters[0].startIndex, offsetBy: 11)..<bar]).percentDecoded
        let value = String(parameters[0][parameters[0].index(after: bar)...]).percentDecoded
        return identifiers.caseID(system: system, value: value)
    }

    private func validCase(_ id: String, _ shown: String) -> Result<CaseID, Refusal> {
        guard let caseID = CaseID(id) else {
            return .failure(.init(code: "value", detail: "\(shown) names id '\(id.prefix(80))', which is not a case id (\(CaseID.rule))"))
        }
        return .success(caseID)
    }

    private func wrongType(_ type: String, _ shown: String, _ types: Set<String>) -> Refusal {
        .init(code: "invalid", detail: "\(shown) points at a \(type.isEmpty ? "resource of no type" : type); this field takes \(types.sorted().joined(separator: " or "))")
    }
}

extension String {
    /// `%XX` decoded (a conditional reference is a URL query); nil when malformed.
    var percentDecoded: String? {
        var bytes: [UInt8] = []
        var utf8 = self.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = utf8.next().flatMap(Self.hex), let low = utf8.next().flatMap(Self.hex) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x37
        case 0x61...0x66: byte - 0x57
        default: nil
        }
    }
}
