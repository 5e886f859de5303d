import PhysioCore
import PhysioHL7

/// What an ORU^R01 message holds for physio: samples per case (one row per
/// case and instant, the message's OBX values merged into it), where each
/// stored value came from (to name a conflict's OBX in the answer), and
/// the observations left out, by reason.
struct ObservationReport {
    enum Ignored: String, CaseIterable {
        /// OBX-3 is not a vital sign physio stores.
        case unknownCode = "unknown_code"
        /// OBX-11 says there is no result (X cannot be obtained, N not asked, I pending, O order
        /// detail), retracts one (W wrong, D deleted), or OBX-5 is empty.
        case invalid
        /// A negative number: a device's "not measured" (−1, −999, −99.9).
        case sentinel
        /// A number outside the vital's plausible range (`GET /rules`), as a faulty channel sends.
        case implausible
        /// A value the device flags as demonstration data (OBX-8 `DEMO`).
        case demonstration
        /// A header without a value (PCD-01's device and channel OBXs).
        case noValue = "no_value"
        /// The same vital and instant again in the message, from a source ranked lower or sent later.
        case superseded
        /// A source ranked lower than one of the same vital stored for the case within 30 s (SourceHistory).
        case outranked
    }

    struct Source {
        let batch: Int
        let row: Int
        let vital: Vital
        /// The OBX that carried the stored value.
        let segment: Int
        let rank: Int
        let value: Float
    }

    var batches: [SampleBatch] = []
    var sources: [Source] = []
    var ignored: [Ignored: Int] = [:]
    /// A warning per OBX whose value was left out (AA's ERR segments with
    /// severity W): the sender learns what was not stored, not only the metrics.
    var warnings: [HL7Acknowledgement.Problem] = []
    /// Warnings past `maxWarnings`, said in one last warning.
    var warningsLeftOut = 0
    static let maxWarnings = 30

    mutating func warn(_ obx: HL7Segment, field: Int, code: Int, _ text: String) {
        warn(obx: obx.sequence, field: field, code: code, text)
    }

    mutating func warn(obx sequence: Int, field: Int, code: Int, _ text: String) {
        guard warnings.count < Self.maxWarnings else { warningsLeftOut += 1; return }
        warnings.append(.init(segment: "OBX", sequence: sequence, field: field, code: code, severity: .warning, text: text))
    }

    /// The warnings, with one saying how many more there were.
    var allWarnings: [HL7Acknowledgement.Problem] {
        guard warningsLeftOut > 0 else { return warnings }
        return warnings + [.init(segment: "MSH", sequence: 1, field: 0, code: 0, severity: .warning,
                                 text: "\(warningsLeftOut) more OBX values were not stored (see the server's metrics)")]
    }
    /// Unknown OBX-3 codes (code^system), for the log.
    var unknownCodes: Set<String> = []
    /// Instants read across a clock change of `--hl7-time-zone`, each named once.
    var readAcrossAClockChange: Set<Int64> = []

    var sampleCount: Int { batches.reduce(0) { $0 + $1.count } }

    /// Each stored value's source, for `SourceHistory`.
    func recordSources(in history: SourceHistory) {
        history.record(sources.map { source in
            let batch = batches[source.batch]
            return SourceHistory.Stored(caseID: batch.caseID, vital: source.vital, rank: source.rank, time: batch.timestamps[source.row])
        })
    }

    /// The OBX that a vital of a stored row came from.
    func segment(batch: Int, row: Int, vital: Vital) -> Int? {
        sources.first { $0.batch == batch && $0.row == row && $0.vital == vital }?.segment
    }
}

/// The problem that makes a message unusable, and the code to answer it with.
struct ReportRefusal: Error {
    let code: HL7Acknowledgement.Code
    let problem: HL7Acknowledgement.Problem
}
