import PhysioCore
import PhysioPlatform

/// Monitor artefacts as they appear in VitalDB recordings (see
/// ../shared/data/vitaldb/README.md): not physiology, but what a detector
/// must live with.
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
}

/// One artefact, seconds [start, end) from the start of the case.
public struct SimulatedArtefact: Sendable, Equatable {
    public let kind: ArtefactKind
    public let start: Int
    public let end: Int
    /// Kind-specific size: the zero offset, the flush level or the spike height.
    let level: Double
}

/// The `artefacts.csv` a simulation writes (end exclusive).
public enum ArtefactLabelsCSV {
    public static let header = "case_id,artefact,start_t_seconds,end_t_seconds"

    public static func line(caseID: String, _ artefact: SimulatedArtefact) -> String {
        "\(caseID),\(artefact.kind.rawValue),\(artefact.start),\(artefact.end)"
    }
}

/// Where a case's artefacts fall.
enum ArtefactPlanner {
    static func draw(profile: PatientProfile, seconds: Int, using random: inout SimulationRandom) -> [SimulatedArtefact] {
        var artefacts: [SimulatedArtefact] = []
        let hours = Double(seconds) / 3600
        if profile.hasArterialLine {
            let connect = min(seconds, Int(random.uniform(300...720)))
            let settled = min(seconds, connect + Int(random.uniform(30...90)))
            artefacts.append(SimulatedArtefact(kind: .lineNotConnected, start: 0, end: connect, level: random.uniform(-6...5)))
            artefacts.append(SimulatedArtefact(kind: .lineInsertion, start: connect, end: settled, level: 0))
            let lineSeconds = Double(seconds - settled) / 3600
            for _ in 0..<random.poisson(mean: 1.0 * lineSeconds) {
                let start = settled + Int(random.unit() * Double(seconds - settled))
                let end = min(seconds, start + Int(random.uniform(10...40)))
                artefacts.append(SimulatedArtefact(kind: .samplingGap, start: start, end: end, level: 0))
                if random.chance(0.5) {   // the line is flushed after the sample is drawn
                    artefacts.append(SimulatedArtefact(kind: .flush, start: end, end: min(seconds, end + Int(random.uniform(5...15))),
                                                       level: random.uniform(296...304)))
                }
            }
            for _ in 0..<random.poisson(mean: 0.5 * lineSeconds) {
                let start = settled + Int(random.unit() * Double(seconds - settled))
                artefacts.append(SimulatedArtefact(kind: .flush, start: start, end: min(seconds, start + Int(random.uniform(5...30))),
                                                   level: random.uniform(296...304)))
            }
        }
        func scatter(_ kind: ArtefactKind, perHour: Double, length: ClosedRange<Double>, level: () -> Double) {
            for _ in 0..<random.poisson(mean: perHour * hours) {
                let start = Int(random.unit() * Double(seconds))
                artefacts.append(SimulatedArtefact(kind: kind, start: start, end: min(seconds, start + Int(random.uniform(length))), level: level()))
            }
        }
        scatter(.heartRateSpike, perHour: 6, length: 1...3.99) {
            random.chance(0.75) ? random.uniform(8...20) : -random.uniform(8...15)
        }
        scatter(.heartRateGap, perHour: 0.5, length: 5...15) { 0 }
        scatter(.saturationGap, perHour: 0.5, length: 10...30) { 0 }
        return artefacts.filter { $0.end > $0.start }.sorted { ($0.start, $0.kind.rawValue) < ($1.start, $1.kind.rawValue) }
    }

    /// Overwrites the clean signals with the artefacts.
    static func apply(_ artefacts: [SimulatedArtefact], to signals: inout SimulatedSignals, using random: inout SimulationRandom) {
        for artefact in artefacts {
            for second in artefact.start..<artefact.end {
                switch artefact.kind {
                case .lineNotConnected:
                    let reading = (artefact.level + random.normal(sd: 1.2)).rounded()
                    signals.setPressures(second, reading, reading, reading)
                case .lineInsertion:
                    if random.chance(0.25) {
                        signals.setPressures(second, .nan, .nan, .nan)
                    } else {
                        let systolic = random.uniform(40...130).rounded()
                        let diastolic = random.uniform(-95...110).rounded()
                        signals.setPressures(second, systolic, diastolic, ((systolic + 2 * diastolic) / 3).rounded())
                    }
                case .flush:
                    let systolic = (artefact.level + random.normal(sd: 1)).rounded()
                    let diastolic = systolic - random.uniform(6...12).rounded()
                    signals.setPressures(second, systolic, diastolic, ((systolic + diastolic) / 2).rounded())
                case .samplingGap:
                    signals.setPressures(second, .nan, .nan, .nan)
                case .heartRateSpike:
                    signals[.hr, second] += artefact.level.rounded()
                case .heartRateGap:
                    signals[.hr, second] = .nan
                case .saturationGap:
                    signals[.spo2, second] = .nan
                }
            }
        }
    }
}
