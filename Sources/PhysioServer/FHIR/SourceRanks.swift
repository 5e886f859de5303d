import PhysioCore

/// One vital given by two Observations of a Bundle for one case and instant
/// from sources of different rank (the ECG's heart rate, LOINC 8867-4, and
/// the oximeter's, 8889-8; an arterial line's pressure and a cuff's in MDC):
/// the higher rank is stored, as the HL7 path keeps it, and the other entry
/// is told its value was not. Without this a gateway sending both had its
/// transaction refused as a conflict. Equal ranks with two values stay a
/// conflict (409 in a transaction).
///
/// Decided before any row is built, so that the lower-ranked value is left
/// out of its entry's row: an entry answers for what it stored itself
/// (until 2026-12-06 the higher value was copied into the lower entry's row,
/// and whichever came first answered `201 Created`, the other "already stored").
struct SourceRanks {
    private struct Key: Hashable {
        let caseID: CaseID
        let time: Int64
        let vital: Vital
    }

    private struct Given {
        let rank: Int
        let entry: Int
        let value: Float
    }

    private var given: [Key: [Given]] = [:]

    mutating func add(_ reading: ObservationReader.Reading, entry: Int) {
        for (vital, value, _) in reading.values {
            let rank = reading.ranks[vital] ?? VitalSignCodes.ordinaryRank
            given[Key(caseID: reading.caseID, time: reading.time, vital: vital), default: []].append(Given(rank: rank, entry: entry, value: value))
        }
    }

    /// Per entry, the vitals another entry gives another value for from a
    /// higher-ranked source: that entry and its value (for `note`).
    func outranked() -> [Int: [Vital: (higherEntry: Int, higherValue: Float)]] {
        var result: [Int: [Vital: (higherEntry: Int, higherValue: Float)]] = [:]
        for (key, list) in given where list.count > 1 {
            let top = list.max { $0.rank < $1.rank }!
            for lower in list where lower.rank < top.rank && lower.value != top.value {
                result[lower.entry, default: [:]][key.vital] = (top.entry, top.value)
            }
        }
        return result
    }

    /// The warning in the lower-ranked entry's answer, at the value's path.
    static func note(_ vital: Vital, sent: Float, higherEntry: Int, higherValue: Float, path: String) -> OperationOutcome.Issue {
        OperationOutcome.Issue(severity: .warning, code: "informational",
            diagnostics: "\(vital.name) \(sent.clean) \(vital.unit) not stored: Bundle.entry[\(higherEntry)] gives "
                + "\(higherValue.clean) for the same case and instant from a source that ranks higher (the ECG over an oximeter, a line over a cuff)",
            expression: path)
    }
}
