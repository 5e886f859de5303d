import PhysioCore
import PhysioHTTP
import PhysioPlatform

/// Reads a FHIR R4 transaction or batch Bundle of vital-signs Observations
/// into per-case sample batches. Each entry ends up stored, ignored (an
/// unknown code, another resource, an entered-in-error observation) or in
/// error, and says which; errors name their FHIRPath.
///
/// Case id: the id of the Observation's `encounter` reference (an operation
/// is an encounter), else of its `subject`. Time: `effectiveDateTime` or
/// `effectiveInstant`, which must carry a time and a zone.
struct BundleDecoder {
    enum BundleType: String { case transaction, batch }

    enum EntryOutcome {
        /// Its sample: row `row` of batch `batch`.
        /// `paths`: where each vital's value is, for answers about it.
        case sample(batch: Int, row: Int, paths: [Vital: String])
        case ignored(String)
        case failed([OperationOutcome.Issue])
    }

    struct Result {
        let type: BundleType
        var outcomes: [EntryOutcome] = []
        /// Samples per case, one per Observation in entry order: the writer
        /// merges those of one instant and tells each one's outcome.
        var batches: [SampleBatch] = []
        var ignoredObservations: Int { outcomes.filter { if case .ignored = $0 { true } else { false } }.count }
        var issues: [OperationOutcome.Issue] {
            outcomes.flatMap { outcome -> [OperationOutcome.Issue] in
                if case .failed(let issues) = outcome { return issues }
                return []
            }
        }
    }

    /// Throws an OperationOutcome response for a body that is not a usable Bundle at all.
    func decode(_ body: [UInt8]) throws -> Result {
        let document: JSONDocument
        switch JSONDocument.parse(body) {
        case .success(let parsed): document = parsed
        case .failure(let error):
            throw FHIRProblem(status: 400, issue: .init(severity: .error, code: "structure",
                diagnostics: "malformed JSON at line \(error.line), column \(error.column): \(error.text)", expression: nil))
        }
        let bundle = document.value
        guard bundle.kind == .object, bundle["resourceType"]?.string == "Bundle" else {
            throw FHIRProblem(status: 422, issue: .init(severity: .error, code: "invalid",
                diagnostics: "the body must be a FHIR Bundle (resourceType \"Bundle\")", expression: "Bundle"))
        }
        guard let type = bundle["type"]?.string.flatMap(BundleType.init) else {
            throw FHIRProblem(status: 422, issue: .init(severity: .error, code: "not-supported",
                diagnostics: "Bundle.type must be transaction or batch", expression: "Bundle.type"))
        }
        var result = Result(type: type)
        var batchIndex: [String: Int] = [:]
        if let entries = bundle["entry"] {
            guard entries.kind == .array else {
                throw FHIRProblem(status: 422, issue: .init(severity: .error, code: "structure",
                    diagnostics: "Bundle.entry must be an array", expression: "Bundle.entry"))
            }
            // A non-object entry breaks the Bundle's structure, not one observation.
            if let index = (0..<entries.count).first(where: { entries[$0]!.kind != .object }) {
                throw FHIRProblem(status: 422, issue: .init(severity: .error, code: "structure",
                    diagnostics: "each Bundle.entry must be an object", expression: "Bundle.entry[\(index)]"))
            }
            for index in 0..<entries.count {
                let path = "Bundle.entry[\(index)].resource"
                switch observation(entries[index]!["resource"], path: path) {
                case .success(let reading):
                    guard let reading else {
                        result.outcomes.append(.ignored(ignoredReason(entries[index]!["resource"])))
                        continue
                    }
                    let batch = batchIndex[reading.caseID] ?? {
                        result.batches.append(SampleBatch(caseID: reading.caseID))
                        batchIndex[reading.caseID] = result.batches.count - 1
                        return result.batches.count - 1
                    }()
                    let row = result.batches[batch].appendRow(timestamp: reading.time)
                    var paths: [Vital: String] = [:]
                    for (vital, value, path) in reading.values {
                        result.batches[batch].set(vital, row: row, to: value)
                        paths[vital] = path
                    }
                    result.outcomes.append(.sample(batch: batch, row: row, paths: paths))
                case .failure(let issues):
                    result.outcomes.append(.failed(issues.issues))
                }
            }
        }
        return result
    }

    struct Reading {
        let caseID: String
        let time: Int64
        /// Each vital with the FHIRPath of its value.
        let values: [(Vital, Float, String)]
    }

    struct Issues: Error { let issues: [OperationOutcome.Issue] }

    /// The vitals of one Observation; nil (success) when it is to be ignored.
    private func observation(_ resource: JSONValue?, path: String) -> Swift.Result<Reading?, Issues> {
        func fail(_ code: String, _ diagnostics: String, _ at: String) -> Swift.Result<Reading?, Issues> {
            .failure(Issues(issues: [.init(severity: .error, code: code, diagnostics: diagnostics, expression: at)]))
        }
        guard let resource, resource.kind == .object else { return fail("required", "entry has no resource", path) }
        guard resource["resourceType"]?.string == "Observation" else { return .success(nil) }
        if let status = resource["status"]?.string, status == "entered-in-error" || status == "cancelled" { return .success(nil) }

        let meaning = codedMeaning(resource["code"])
        guard let meaning else { return .success(nil) }

        let reference = resource["encounter"]?["reference"]?.string ?? resource["subject"]?["reference"]?.string
        guard let reference else {
            return fail("required", "an Observation needs an encounter or subject reference to name its case", "\(path).subject")
        }
        let caseID = String(reference.split(separator: "/").last ?? "")
        guard CaseID.isValid(caseID) else {
            return fail("value", "reference '\(reference.prefix(80))' does not end in an id matching [A-Za-z0-9._-]{1,64}", "\(path).encounter")
        }
        let timeText = resource["effectiveDateTime"]?.string ?? resource["effectiveInstant"]?.string
        guard let timeText else { return fail("required", "effectiveDateTime is required", "\(path).effectiveDateTime") }
        guard let time = Timestamp.parseRFC3339(timeText), Timestamp.validRange.contains(time) else {
            return fail("value", "effectiveDateTime '\(timeText.prefix(40))' must be a full date-time with seconds and zone", "\(path).effectiveDateTime")
        }

        var values: [(Vital, Float, String)] = []
        var issues: [OperationOutcome.Issue] = []
        switch meaning {
        case .vital(let vital):
            switch quantity(resource["valueQuantity"], vital: vital, path: "\(path).valueQuantity") {
            case .success(let value): if let value { values.append((vital, value, "\(path).valueQuantity.value")) }
            case .failure(let failure): issues += failure.issues
            }
        case .bloodPressurePanel:
            // An object here has a count too, but no elements by index.
            let components = resource["component"]
            if let components, components.kind != .array {
                return fail("structure", "component must be an array", "\(path).component")
            }
            for index in 0..<(components?.count ?? 0) {
                guard let component = components?[index] else { continue }
                guard case .vital(let vital)? = codedMeaning(component["code"]) else { continue }
                switch quantity(component["valueQuantity"], vital: vital, path: "\(path).component[\(index)].valueQuantity") {
                case .success(let value): if let value { values.append((vital, value, "\(path).component[\(index)].valueQuantity.value")) }
                case .failure(let failure): issues += failure.issues
                }
            }
        }
        if !issues.isEmpty { return .failure(Issues(issues: issues)) }
        guard !values.isEmpty else { return .success(nil) }
        return .success(Reading(caseID: caseID, time: time, values: values))
    }

    /// A value in physio's unit, nil when absent (dataAbsentReason), or an issue.
    private func quantity(_ quantity: JSONValue?, vital: Vital, path: String) -> Swift.Result<Float?, Issues> {
        guard let quantity, quantity.kind == .object else { return .success(nil) }
        guard let raw = quantity["value"]?.number else {
            return .failure(Issues(issues: [.init(severity: .error, code: "value", diagnostics: "valueQuantity.value must be a number", expression: "\(path).value")]))
        }
        let unit = quantity["code"]?.string ?? quantity["unit"]?.string
        guard let converted = VitalSignCodes.convert(raw, unit: unit, for: vital) else {
            return .failure(Issues(issues: [.init(severity: .error, code: "value",
                diagnostics: "unit '\(unit ?? "")' is not accepted for \(vital.name); use \(VitalSignCodes.acceptedUnits(vital))", expression: "\(path).code")]))
        }
        let value = Float(converted)
        guard vital.reportableRange.contains(value), Double(value).isFinite else {
            let range = vital.reportableRange
            return .failure(Issues(issues: [.init(severity: .error, code: "value",
                diagnostics: "\(vital.name) \(converted) \(vital.unit) is outside the plausible range \(range.lowerBound)–\(range.upperBound)", expression: "\(path).value")]))
        }
        return .success(value)
    }

    private func codedMeaning(_ concept: JSONValue?) -> VitalSignCodes.Meaning? {
        guard let codings = concept?["coding"], codings.kind == .array else { return nil }
        for index in 0..<codings.count {
            if let meaning = VitalSignCodes.meaning(system: codings[index]!["system"]?.string, code: codings[index]!["code"]?.string) {
                return meaning
            }
        }
        return nil
    }

    private func ignoredReason(_ resource: JSONValue?) -> String {
        guard resource?["resourceType"]?.string == "Observation" else {
            return "only Observations are ingested; \(resource?["resourceType"]?.string ?? "an entry without resourceType") ignored"
        }
        if let status = resource?["status"]?.string, status == "entered-in-error" || status == "cancelled" {
            return "Observation status \(status): ignored"
        }
        return "Observation code not recognised as a vital sign (or no value): ignored"
    }
}

/// An OperationOutcome answer thrown out of decoding.
struct FHIRProblem: Error {
    let status: Int
    let issue: OperationOutcome.Issue
    var response: Response { OperationOutcome(issues: [issue]).response(status: status) }
}
