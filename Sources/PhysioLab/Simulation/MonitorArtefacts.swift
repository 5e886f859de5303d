import PhysioCore
import PhysioPlatform

/// Monitor artefacts as they appear in VitalDB recordings (see
/// ../shared/data/vitaldb/README.md) and in alarm studies: not physiology,
/// but what a detector must live with. Only those of devices the feed has
/// connected occur.
public enum ArtefactKind: String, CaseIterable, Sendable {
    /// The arterial transducer is not yet connected or zeroed: pressures
    /// read −9…+8 mmHg, systolic ≈ diastolic.
    case lineNotConnected = "line_not_connected"
    /// Insertion, flushing and zeroing of the line: 30–90 s of meaningless
    /// pressures such as 74/−93 or 88/109.
    case lineInsertion = "line_insertion"
    /// Square-wave flush: 5–30 s at ≈ 300/290 mmHg (~0.5 per hour).
    case flush
    /// Line closed for blood sampling: pressures missing for 10–40 s (~1 per hour).
    case samplingGap = "sampling_gap"
    /// Electrocautery on the ECG: HR jumps 8–20/min for 1–3 samples (~6 per hour).
    case heartRateSpike = "hr_spike"
    /// ECG leads off or swamped: HR missing for 5–15 s (~0.5 per hour).
    case heartRateGap = "hr_gap"
    /// Pulse-oximeter probe moved: SpO2 missing for 10–30 s (~0.5 per hour).
    case saturationGap = "spo2_gap"
    /// Probe off the finger (repositioning, arm tucked, probe fallen): SpO2
    /// missing for 1–10 min (~0.2 per hour).
    case saturationProbeOff = "spo2_probe_off"
    /// Motion, poor perfusion or cautery interference: SpO2 reads 80–89 %
    /// for 5–25 s while the patient is well saturated (~0.4 per hour; the
    /// commonest false SpO2 alarm: Lawless, Crit Care Med 1994;22:981).
    case saturationDip = "spo2_dip"
    /// The cuff gave no reading (motion, pressure on the arm) and retries
    /// 30–60 s later (3 % of attempts).
    case cuffFailure = "cuff_failure"
}

extension ArtefactKind {
    /// The vitals the artefact corrupts or removes.
    public var vitals: [Vital] {
        switch self {
        case .lineNotConnected, .lineInsertion, .flush, .samplingGap, .cuffFailure: [.sbp, .dbp, .mbp]
        case .heartRateSpike, .heartRateGap: [.hr]
        case .saturationGap, .saturationProbeOff, .saturationDip: [.spo2]
        }
    }

    /// One line for the README beside simulated data.
    var meaning: String {
        switch self {
        case .lineNotConnected: "arterial pressures −9…+8 mmHg before the transducer is connected"
        case .lineInsertion: "30–90 s of meaningless pressures while the line is inserted and flushed"
        case .flush: "square wave ≈ 300/290 mmHg for 5–30 s"
        case .samplingGap: "pressures missing 10–40 s (blood sampling), often followed by a flush"
        case .heartRateSpike: "HR +8–20 or −8–15 for 1–3 s (electrocautery)"
        case .heartRateGap: "HR missing 5–15 s"
        case .saturationGap: "SpO2 missing 10–30 s"
        case .saturationProbeOff: "SpO2 missing 1–10 min (probe off)"
        case .saturationDip: "SpO2 reads 80–89 % for 5–25 s (motion, poor perfusion)"
        case .cuffFailure: "no cuff reading; retried 30–60 s later"
        }
    }
}

/// One artefact, seconds [start, end) from the start of the case.
public struct SimulatedArtefact: Sendable, Equatable {
    public let kind: ArtefactKind
    public let start: Int
    public let end: Int
    /// Kind-specific size: the zero offset, the flush level, the spike height or the dip's reading.
    let level: Double
}

/// The `artefacts.csv` a simulation writes (end exclusive).
public enum ArtefactLabelsCSV {
    public static let header = "case_id,artefact,start_t_seconds,end_t_seconds"

    public static func line(caseID: String, _ artefact: SimulatedArtefact) -> String {
        "\(caseID),\(artefact.kind.rawValue),\(artefact.start),\(artefact.end)"
    }
}
