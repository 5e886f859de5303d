import PhysioCore
import PhysioPlatform

/// How a monitor measures the patient's course, for the devices a feed
/// has connected; every device draws from its own random stream. Values
/// are rounded as monitors report them; the artefacts come after
/// (`ArtefactPlanner`).
///
/// - ECG HR: ±1.2/min each second.
/// - Pulse oximeter SpO2: ±0.35 % each second (its lag behind the lungs is
///   in the events' SpO2 delays).
/// - Capnograph EtCO2 (±0.6 mmHg) and RR (±0.3/min) from intubation on.
/// - Temperature probe (±0.02 °C, one decimal) once placed after induction.
/// - Arterial line: SBP ±2.5, DBP ±1.5, MAP ±1.2 mmHg each second.
/// - Cuff (oscillometry): `measureCuff`.
enum MonitorMeasurement {
    static func measure(_ course: SimulatedSignals, profile: PatientProfile, feed: MonitorFeed,
                        streams: SimulationStreams) -> (signals: SimulatedSignals, artefacts: [SimulatedArtefact]) {
        let seconds = course.seconds
        var signals = SimulatedSignals(seconds: seconds)
        if feed.sends(.hr) {
            var random = streams.random(.ecg)
            for second in 0..<seconds {
                signals[.hr, second] = clamp(course[.hr, second] + random.normal(sd: 1.2), 25, 250).rounded()
            }
        }
        if feed.sends(.spo2) {
            var random = streams.random(.oximeter)
            for second in 0..<seconds {
                signals[.spo2, second] = clamp(course[.spo2, second] + random.normal(sd: 0.35), 50, 100).rounded()
            }
        }
        if feed.sends(.etco2) || feed.sends(.rr) {
            var random = streams.random(.capnograph)
            for second in min(profile.intubated, seconds)..<seconds {
                signals[.etco2, second] = clamp(course[.etco2, second] + random.normal(sd: 0.6), 0, 80).rounded()
                signals[.rr, second] = clamp(course[.rr, second] + random.normal(sd: 0.3), 0, 40).rounded()
            }
        }
        if feed.sends(.temp) {
            var random = streams.random(.thermometer)
            for second in min(profile.probePlaced, seconds)..<seconds {
                signals[.temp, second] = ((course[.temp, second] + random.normal(sd: 0.02)) * 10).rounded() / 10
            }
        }
        var artefacts: [SimulatedArtefact] = []
        switch feed.pressureSource {
        case .arterialLine:
            var random = streams.random(.arterialLine)
            for second in 0..<seconds {
                let systolic = clamp(course[.sbp, second] + random.normal(sd: 2.5), 35, 260)
                let diastolic = clamp(course[.dbp, second] + random.normal(sd: 1.5), 15, systolic - 8)
                let mean = clamp(course[.mbp, second] + random.normal(sd: 1.2), diastolic, systolic)
                signals.setPressures(second, systolic.rounded(), diastolic.rounded(), mean.rounded())
            }
        case .cuff:
            var random = streams.random(.cuff)
            artefacts = measureCuff(course, into: &signals, using: &random)
        case .none:
            break
        }
        return (signals, artefacts)
    }

    /// Oscillometric cuff. A reading every 3, 4 or 5 minutes (ASA Standards
    /// for Basic Anesthetic Monitoring: at least every five minutes), first
    /// 0.5–2 min into the record, reported at the end of a ~30 s deflation
    /// and so reflecting those 30 s. Each reading errs by the cuff's own bias
    /// on this arm (±3 mmHg per case) plus SBP ±5, DBP ±4, MAP ±3 mmHg, and
    /// the cuff reads high when pressure is low and low when it is high
    /// (15 % of SBP's distance from 120, 8 % of MAP's from 85: Wax et al.,
    /// Anesthesiology 2011;115:973; Lehman et al., Crit Care Med
    /// 2013;41:34). 3 % of attempts give no reading (motion, the surgeon
    /// leaning on the arm: a `cuff_failure` artefact) and the cuff retries
    /// in 30–60 s; a reading beyond an alarm limit (MAP < 65, SBP < 80 or >
    /// 180) is repeated within 1–2 min, as the anaesthetist checks it.
    static func measureCuff(_ course: SimulatedSignals, into signals: inout SimulatedSignals,
                            using random: inout SimulationRandom) -> [SimulatedArtefact] {
        let cycle = [180, 240, 300][min(2, Int(random.unit() * 3))]
        let bias = random.normal(sd: 3)
        var failures: [SimulatedArtefact] = []
        var next = Int(random.uniform(30...120))
        while next < course.seconds {
            if random.chance(0.03) {
                let retry = next + Int(random.uniform(30...60))
                failures.append(SimulatedArtefact(kind: .cuffFailure, start: next, end: min(course.seconds, retry), level: 0))
                next = retry
                continue
            }
            let deflation = max(0, next - 29)...next
            func average(_ vital: Vital) -> Double {
                deflation.reduce(0) { $0 + course[vital, $1] } / Double(deflation.count)
            }
            let (sbp, dbp, mbp) = (average(.sbp), average(.dbp), average(.mbp))
            let systolic = clamp(sbp + 0.15 * (120 - sbp) + bias + random.normal(sd: 5), 40, 260).rounded()
            let diastolic = clamp(dbp + bias + random.normal(sd: 4), 20, systolic - 10).rounded()
            let mean = clamp(mbp + 0.08 * (85 - mbp) + bias + random.normal(sd: 3), diastolic, systolic).rounded()
            signals.setPressures(next, systolic, diastolic, mean)
            let beyondLimits = mean < 65 || systolic < 80 || systolic > 180
            next += beyondLimits ? Int(random.uniform(60...120)) : cycle + Int(random.uniform(-3...3))
        }
        return failures
    }
}
