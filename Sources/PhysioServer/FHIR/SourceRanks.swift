import PhysioCore

/// One vital given by two Observations of a Bundle for one case and instant
/// from sources of different rank (the ECG's heart rate, LOINC 8867-4, and
/// the oximeter's, 8889-8; an arterial line's pressure and a cuff's in MDC):
/// the higher rank is stored, as the HL7 path keeps it, and the other entry
/// is told its value was not. Without this a gateway sending both had its
/// transaction refused as a conflict. Equal ranks with two values stay a
/// conflict (409 in a transaction).
struct SourceRanks {
    private struct Key: Hashable {
        let batch: Int
        let time: Int64
        let vital: Vital
    }

    private struct Given {
        let rank: Int
        let entry: Int
        let row: Int
        let value: Float
    }

    private var given: [Key: [Given]] = [:]

    mutating func add(batch: Int, time: Int64, vital: Vital, rank: Int, entry: Int, row: Int, value: Float) {
        given[Key(batch: batch, time: time, vital: vital), default: []].append(Given(rank: rank, entry: entry, row: row, value: value))
    }

    /// Gives each lower-ranked value of a vital the higher-ranked one (its
    /// row then merges as a duplicate) and a note in its entry's answer.
    func keepHigherRanked(_ result: inout BundleDecoder.Result) {
        for (key, list) in given where list.count > 1 {
            let top = list.max { $0.rank < $1.rank }!
            for lower in list where lower.rank < top.rank && lower.value != top.value {
                result.batches[key.batch].set(key.vital, row: lower.row, to: top.value)
                guard case .sample(let batch, let row, let paths, let notes) = result.outcomes[lower.entry] else { continue }
                let note = OperationOutcome.Issue(severity: .warning, code: "informational",
                    diagnostics: "\(key.vital.name) \(lower.value.clean) \(key.vital.unit) not stored: Bundle.entry[\(top.entry)] gives "
                        + "\(top.value.clean) for the same case and instant from a source that ranks higher (the ECG over an oximeter, a line over a cuff)",
                    expression: paths[key.vital])
                result.outcomes[lower.entry] = .sample(batch: batch, row: row, paths: paths, notes: notes + [note])
            }
        }
    }
}
