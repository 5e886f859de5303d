import PhysioCore
import PhysioHTTP

/// One Bundle entry's resource as a sample: the case, the instant and the
/// vitals of a vital-signs Observation, or why it is ignored, or its errors
/// named by FHIRPath. No value is dropped unsaid: each is stored, refused
/// (a panel's own value, a bound, one vital twice with two values) or named
/// in a note (a component of a code not stored here).
///
/// The case is named by `encounter` (an operation is an encounter), else
/// `subject`, else `device` (a monitor posting without patient context);
/// see CaseReference. The time is EffectiveTime's.
struct ObservationReader {
    struct Reading {
        let caseID: CaseID
        let time: Int64
        /// Each vital with the FHIRPath of its value.
        let values: [(Vital, Float, String)]
        /// The rank of the code each vital came from (VitalSignCodes.rank): within
        /// a Bundle, a higher-ranked source for the same instant is kept.
        let ranks: [Vital: Int]
        /// Warnings for the entry's answer: components not stored.
        let notes: [OperationOutcome.Issue]
    }

    enum Outcome {
        case reading(Reading)
        /// Not stored, why, and where (its FHIRPath).
        case ignored(String, expression: String)
        /// Not an Observation (a Patient or Encounter sent for context).
        case otherResource(String)
        case failed([OperationOutcome.Issue])
    }

    /// The fields that may name the case, in order, with the types each may point at.
    static let caseFields: [(field: String, types: Set<String>)] = [
        ("encounter", ["Encounter"]),
        ("subject", ["Patient", "Group", "Device", "Location"]),
        ("device", ["Device", "DeviceMetric"]),
    ]

    let references: CaseReference

    func read(_ resource: JSONValue?, path: String) -> Outcome {
        guard let resource, resource.kind == .object else { return fail("required", "the entry has no resource", path) }
        guard let type = resource["resourceType"]?.string else { return fail("required", "the resource has no resourceType", "\(path).resourceType") }
        guard type == "Observation" else { return .otherResource("only Observations are ingested; \(type.prefix(60)) ignored") }
        if let status = resource["status"]?.string, status == "entered-in-error" || status == "cancelled" {
            return .ignored("Observation status \(status): ignored", expression: "\(path).status")
        }
        // An Observation of another code (a legacy panel, a weight) may still carry vital components.
        if let twoMeanings = Self.twoMeanings(resource["code"]) {
            return fail("invalid", twoMeanings, "\(path).code.coding")
        }
        let coded = Self.coded(resource["code"])
        let meaning = coded?.meaning
        guard meaning != nil || Self.hasVitalComponent(resource) else {
            return .ignored("Observation code \(Self.shown(resource["code"])) is not a vital sign stored here: ignored", expression: "\(path).code")
        }

        var issues: [OperationOutcome.Issue] = []
        var caseID: CaseID?
        if let (field, types) = Self.caseFields.first(where: { resource[$0.field] != nil }) {
            let reference = resource[field]!
            switch references.caseID(reference, types: types) {
            case .success(let id): caseID = id
            case .failure(let refusal):
                let member = reference["reference"] != nil ? "reference" : reference["identifier"] != nil ? "identifier" : nil
                issues.append(issue(refusal.code, "\(field): \(refusal.detail)", [path, field, member].compactMap { $0 }.joined(separator: ".")))
            }
        } else {
            issues.append(issue("required", "an Observation needs an encounter, subject or device to name its case", path))
        }

        var time: Int64?
        switch EffectiveTime.read(resource) {
        case .success(let instant): time = instant
        case .failure(let refusal):
            issues.append(.init(severity: .error, code: refusal.code, diagnostics: refusal.detail, expressions: refusal.fields.map { "\(path).\($0)" }))
        }

        var values: [(Vital, Float, String)] = []
        var ranks: [Vital: Int] = [:]
        var notes: [OperationOutcome.Issue] = []
        switch meaning {
        case nil:
            if let member = resource.firstMember(prefix: "value") {
                notes.append(.init(severity: .warning, code: "not-supported",
                                   diagnostics: "the Observation's own \(member) (code \(Self.shown(resource["code"]))) is not a vital sign stored here: not stored",
                                   expression: "\(path).\(member)"))
            }
        case .vital(let vital)?:
            read(resource, vital: vital, path: path, into: &values, issues: &issues)
            ranks[vital] = coded?.rank
        case .panel?:
            // A panel's values are its components: a value of its own names no vital to store it as.
            if let member = resource.firstMember(prefix: "value") {
                issues.append(issue("not-supported", "a panel's values are its components; its own \(member) names no vital and cannot be stored: "
                                    + "send it as a component with the vital's code", "\(path).\(member)"))
            }
        }
        // Components are read on any Observation: a heart rate may carry its SpO2.
        if let components = resource["component"] {
            guard components.kind == .array else { return fail("structure", "component must be an array", "\(path).component") }
            for index in 0..<components.count {
                let at = "\(path).component[\(index)]"
                guard let component = components[index], component.kind == .object else {
                    issues.append(issue("structure", "a component must be an object", at))
                    continue
                }
                if let twoMeanings = Self.twoMeanings(component["code"]) {
                    issues.append(issue("invalid", twoMeanings, "\(at).code.coding"))
                    continue
                }
                let componentCoded = Self.coded(component["code"])
                guard case .vital(let vital)? = componentCoded?.meaning else {
                    notes.append(.init(severity: .warning, code: "not-supported",
                                       diagnostics: "component \(Self.shown(component["code"])) is not a vital sign stored here: not stored", expression: at))
                    continue
                }
                read(component, vital: vital, path: at, into: &values, issues: &issues)
                if ranks[vital] == nil { ranks[vital] = componentCoded?.rank }
            }
        }
        issues += Self.ambiguities(&values)
        if !issues.isEmpty { return .failed(issues) }
        guard !values.isEmpty, let caseID, let time else {
            return .ignored((["no value: the Observation carries no valueQuantity of a vital sign (dataAbsentReason?)"] + notes.map(\.diagnostics))
                .joined(separator: "; "), expression: path)
        }
        return .reading(Reading(caseID: caseID, time: time, values: values, ranks: ranks, notes: notes))
    }

    /// Whether any component has a vital sign's code.
    static func hasVitalComponent(_ resource: JSONValue) -> Bool {
        guard let components = resource["component"], components.kind == .array else { return false }
        return (0..<components.count).contains { index in
            if case .vital? = components[index].flatMap({ meaning($0["code"]) }) { return true }
            return false
        }
    }

    /// One vital given twice in one Observation (two SBP components, a heart
    /// rate and an HR component): the same value is kept once; two values
    /// are ambiguous, refused naming every path, rather than one picked.
    static func ambiguities(_ values: inout [(Vital, Float, String)]) -> [OperationOutcome.Issue] {
        var issues: [OperationOutcome.Issue] = []
        var seen: Set<Vital> = []
        for (vital, _, _) in values where !seen.contains(vital) {
            seen.insert(vital)
            let given = values.filter { $0.0 == vital }
            guard Set(given.map(\.1)).count > 1 else { continue }
            issues.append(.init(severity: .error, code: "invalid",
                diagnostics: "\(vital.name) is given \(given.count == 2 ? "twice" : "\(given.count) times") for one instant, \(given.map { $0.1.clean }.joined(separator: " and ")) \(vital.unit): "
                    + "ambiguous; send one value per vital in an Observation",
                expressions: given.map(\.2)))
        }
        var kept: Set<Vital> = []
        values = values.filter { kept.insert($0.0).inserted }
        return issues
    }

    /// A CodeableConcept as an answer names it: its first coding's system|code.
    static func shown(_ concept: JSONValue?) -> String {
        guard let coding = concept?["coding"]?[0], let code = coding["code"]?.string else { return "without a coding" }
        return "\(coding["system"]?.string.map { "\($0.prefix(60))|" } ?? "")\(code.prefix(40))"
    }

    /// `valueQuantity` of `element` (the Observation or one component) in physio's unit.
    private func read(_ element: JSONValue, vital: Vital, path: String, into values: inout [(Vital, Float, String)],
                      issues: inout [OperationOutcome.Issue]) {
        guard let quantity = element["valueQuantity"] else {
            if element.firstMember(prefix: "value") != nil {
                issues.append(issue("not-supported", "\(vital.name) must be a valueQuantity", path))
            }
            return  // no value (dataAbsentReason): nothing to store
        }
        let at = "\(path).valueQuantity"
        guard quantity.kind == .object else { return issues.append(issue("structure", "valueQuantity must be an object", at)) }
        // '< 88 %' is a bound: stored, it would read as a measured 88 (HL7 refuses the same).
        if let comparator = quantity["comparator"] {
            let shown = comparator.string.map { "'\($0.prefix(4))'" } ?? "given"
            return issues.append(issue("not-supported", "valueQuantity.comparator \(shown): a bound is not a measured \(vital.name); send the value measured, without a comparator",
                                       "\(at).comparator"))
        }
        guard let raw = quantity["value"]?.number else { return issues.append(issue("value", "valueQuantity.value must be a number", "\(at).value")) }
        // The UCUM code when there is one; else the human-readable unit.
        let (unit, unitField) = quantity["code"]?.string.map { ($0, "code") } ?? quantity["unit"]?.string.map { ($0, "unit") } ?? (nil, "code")
        guard let converted = VitalSignCodes.convert(raw, unit: unit, for: vital) else {
            return issues.append(issue("value", "unit '\(unit?.prefix(40) ?? "")' is not taken for \(vital.name); send \(VitalSignCodes.acceptedUnits(vital))",
                                       "\(at).\(unitField)"))
        }
        let range = vital.reportableRange
        guard converted >= Double(range.lowerBound), converted <= Double(range.upperBound) else {
            return issues.append(issue("value", "\(vital.name) \(converted) \(vital.unit) is outside the plausible range \(range.lowerBound.clean)–\(range.upperBound.clean)",
                                       "\(at).value"))
        }
        values.append((vital, Float.stored(converted), "\(at).value"))
    }

    static func meaning(_ concept: JSONValue?) -> VitalSignCodes.Meaning? { coded(concept)?.meaning }

    /// Every coding of a concept physio knows, in order, with its code's rank (VitalSignCodes.rank).
    static func knownCodings(_ concept: JSONValue?) -> [(meaning: VitalSignCodes.Meaning, code: String, rank: Int)] {
        guard let codings = concept?["coding"], codings.kind == .array else { return [] }
        return (0..<codings.count).compactMap { index in
            let system = codings[index]?["system"]?.string, code = codings[index]?["code"]?.string
            guard let meaning = VitalSignCodes.meaning(system: system, code: code) else { return nil }
            return (meaning, code!, VitalSignCodes.rank(system: system, code: code))
        }
    }

    /// Codings of one concept that name two different vital signs (they
    /// should be translations of one meaning): what to say, else nil.
    static func twoMeanings(_ concept: JSONValue?) -> String? {
        var distinct: [(meaning: VitalSignCodes.Meaning, code: String, rank: Int)] = []
        for coding in knownCodings(concept) where !distinct.contains(where: { $0.meaning == coding.meaning }) { distinct.append(coding) }
        guard distinct.count > 1 else { return nil }
        return "the codings name different vital signs (\(distinct.map(\.code).joined(separator: ", "))); codings of one concept must mean the same: "
            + "send each vital as its own Observation or component"
    }

    /// The meaning of the first coding physio knows, and that code's rank.
    static func coded(_ concept: JSONValue?) -> (meaning: VitalSignCodes.Meaning, rank: Int)? {
        knownCodings(concept).first.map { ($0.meaning, $0.rank) }
    }

    private func issue(_ code: String, _ diagnostics: String, _ expression: String) -> OperationOutcome.Issue {
        .init(severity: .error, code: code, diagnostics: diagnostics, expression: expression)
    }

    private func fail(_ code: String, _ diagnostics: String, _ expression: String) -> Outcome {
        .failed([issue(code, diagnostics, expression)])
    }
}

extension JSONValue {
    /// The first member of an object whose name starts with `prefix` (value[x]).
    func firstMember(prefix: String) -> String? {
        var found: String?
        forEachMember { key, _ in if found == nil && key.starts(with: prefix.utf8) { found = String(decoding: key, as: UTF8.self) } }
        return found
    }
}
