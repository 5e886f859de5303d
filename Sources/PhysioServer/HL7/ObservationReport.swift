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
        /// OBX-11 says the result could not be obtained (X), is wrong (W) or deleted (D), or OBX-5 is empty.
        case invalid
        /// A negative number: a device's "not measured" (−1, −999, −99.9).
        case sentinel
        /// A header without a value (PCD-01's device and channel OBXs).
        case noValue = "no_value"
        /// The same vital and instant again in the message, from a source ranked lower or sent later.
        case superseded
    }

    struct Source {
        let batch: Int
        let row: Int
        let vital: Vital
        /// The OBX that carried the stored value.
        let segment: Int
        let rank: Int
    }

    var batches: [SampleBatch] = []
    var sources: [Source] = []
    var ignored: [Ignored: Int] = [:]
    /// Unknown OBX-3 codes (code^system), for the log.
    var unknownCodes: Set<String> = []

    var sampleCount: Int { batches.reduce(0) { $0 + $1.count } }

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
