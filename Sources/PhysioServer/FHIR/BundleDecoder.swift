import PhysioCore
import PhysioHTTP
import PhysioPlatform

/// Reads a FHIR R4 transaction or batch Bundle of vital-signs Observations
/// into per-case sample batches, one row per Observation. Each entry ends up
/// a sample, ignored (an unknown code, an entered-in-error observation,
/// every value outranked by another entry's: `SourceRanks`),
/// another resource (not stored) or in error, and says which; errors name their FHIRPath.
/// References are resolved within the Bundle (CaseReference); see
/// ObservationReader for the case and time rules.
struct BundleDecoder {
    enum BundleType: String { case transaction, batch }

    enum EntryOutcome {
        /// Its sample: row `row` of batch `batch`.
        /// `paths`: where each vital's value is, for answers about it;
        /// `notes`: warnings for its answer (components not stored).
        case sample(batch: Int, row: Int, paths: [Vital: String], notes: [OperationOutcome.Issue])
        /// An Observation not stored, why, and where.
        case ignored(String, expression: String)
        /// An Observation every value of which another entry gives for the
        /// same instant from a higher-ranked source (`SourceRanks`): nothing
        /// of it is stored; the warnings say so.
        case outranked([OperationOutcome.Issue])
        /// Another resource (a Patient, an Encounter), and why it is not stored.
        case otherResource(String)
        case failed([OperationOutcome.Issue])
    }

    struct Result {
        let type: BundleType
        var outcomes: [EntryOutcome] = []
        /// Samples per case, one per Observation that stores a value, in entry order: the writer
        /// merges those of one instant and tells each one's outcome.
        var batches: [SampleBatch] = []
        /// Each value to store, with its source's rank: `SourceHistory` learns them once stored.
        var sources: [SourceHistory.Stored] = []
        var ignoredObservations: Int {
            outcomes.filter {
                switch $0 {
                case .ignored, .outranked: true
                default: false
                }
            }.count
        }
        var issues: [OperationOutcome.Issue] {
            outcomes.flatMap { outcome -> [OperationOutcome.Issue] in
                if case .failed(let issues) = outcome { return issues }
                return []
            }
        }
    }

    var identifiers = FHIRCaseIdentifiers()
    /// Sources stored before, across instants (nil: rank within the Bundle's instants only).
    var sources: SourceHistory? = nil

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
        guard let entries = bundle["entry"] else { return result }
        guard entries.kind == .array else {
            throw FHIRProblem(status: 422, issue: .init(severity: .error, code: "structure",
                diagnostics: "Bundle.entry must be an array", expression: "Bundle.entry"))
        }
        // A non-object entry breaks the Bundle's structure, not one observation.
        if let index = (0..<entries.count).first(where: { entries[$0]!.kind != .object }) {
            throw FHIRProblem(status: 422, issue: .init(severity: .error, code: "structure",
                diagnostics: "each Bundle.entry must be an object", expression: "Bundle.entry[\(index)]"))
        }
        let reader = ObservationReader(references: CaseReference(index: BundleIndex(entries: entries), identifiers: identifiers))
        // Read every entry first: which source outranks which is known only then.
        var readings: [(entry: Int, reading: ObservationReader.Reading)] = []
        var ranks = SourceRanks()
        for index in 0..<entries.count {
            if let refusal = Self.refusal(method: entries[index]!["request"]?["method"], path: "Bundle.entry[\(index)].request.method") {
                result.outcomes.append(.failed([refusal]))
                continue
            }
            switch reader.read(entries[index]!["resource"], path: "Bundle.entry[\(index)].resource") {
            case .reading(let reading):
                readings.append((result.outcomes.count, reading))
                ranks.add(reading, entry: result.outcomes.count)
                result.outcomes.append(.outranked([]))   // until its row is built below
            case .ignored(let reason, let expression):
                result.outcomes.append(.ignored(reason, expression: expression))
            case .otherResource(let reason):
                result.outcomes.append(.otherResource(reason))
            case .failed(let issues):
                result.outcomes.append(.failed(issues))
            }
        }
        let outranked = ranks.outranked()
        var ranked = BatchSources(history: sources)
        var batchIndex: [CaseID: Int] = [:]
        for (entry, reading) in readings {
            let lower = outranked[entry] ?? [:]
            var notes = reading.notes
            var kept: [(Vital, Float, String)] = []
            for (vital, value, path) in reading.values {
                let candidate = SourceHistory.Stored(caseID: reading.caseID.rawValue, vital: vital,
                                                     rank: reading.ranks[vital] ?? VitalSignCodes.ordinaryRank, time: reading.time)
                if let higher = lower[vital] {
                    notes.append(SourceRanks.note(vital, sent: value, higherEntry: higher.higherEntry, higherValue: higher.higherValue, path: path))
                } else if let higher = ranked.outranking(candidate) {
                    notes.append(OperationOutcome.Issue(severity: .warning, code: "informational",
                                                        diagnostics: SourceHistory.reason(value, of: candidate, higher: higher), expression: path))
                } else {
                    kept.append((vital, value, path))
                }
            }
            guard !kept.isEmpty else {
                result.outcomes[entry] = .outranked(notes)
                continue
            }
            let batch = batchIndex[reading.caseID] ?? {
                result.batches.append(SampleBatch(caseID: reading.caseID.rawValue))
                batchIndex[reading.caseID] = result.batches.count - 1
                return result.batches.count - 1
            }()
            let row = result.batches[batch].appendRow(timestamp: reading.time)
            var paths: [Vital: String] = [:]
            for (vital, value, path) in kept {
                result.batches[batch].set(vital, row: row, to: value)
                paths[vital] = path
            }
            result.outcomes[entry] = .sample(batch: batch, row: row, paths: paths, notes: notes)
        }
        result.sources = ranked.stored
        return result
    }

    /// Entries create: POST, or PUT (an Observation is stored by its case and
    /// instant either way). A DELETE or GET stored as a create would be the
    /// opposite of what was asked. An entry without a method is a create.
    static func refusal(method: JSONValue?, path: String) -> OperationOutcome.Issue? {
        guard let method, method.string != "POST", method.string != "PUT" else { return nil }
        let shown = method.string.map { "'\($0.prefix(20))'" } ?? "that is not a string"
        return .init(severity: .error, code: "not-supported",
                     diagnostics: "request.method \(shown) is not taken: this server only creates Observations (POST or PUT); nothing is read, deleted or patched",
                     expression: path)
    }
}

/// An OperationOutcome answer thrown out of decoding.
struct FHIRProblem: Error {
    let status: Int
    let issue: OperationOutcome.Issue
    var response: Response { OperationOutcome(issues: [issue]).response(status: status) }
}
