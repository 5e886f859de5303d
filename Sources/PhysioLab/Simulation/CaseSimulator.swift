#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import PhysioCore
import PhysioPlatform

/// A simulated case: its samples and the ground truth behind them.
public struct SimulatedCase: Sendable {
    public let caseID: String
    public let batch: SampleBatch
    public let events: [DeteriorationEvent]
    public let artefacts: [SimulatedArtefact]
    public let hasArterialLine: Bool
}

/// Generates synthetic intra-operative cases, one value per second per vital.
/// Pure and deterministic: case n depends only on (seed, n) and the
/// parameters, never on how many cases are generated or in which order.
///
/// Each vital is the patient's value (`PatientProfile`) plus slow drift
/// (`SlowDrift`), moved by the injected deteriorations (`DeteriorationKind`),
/// plus per-second measurement noise, rounded as a monitor reports it; then
/// the monitor's artefacts (`ArtefactKind`) are laid over it. Cases without an
/// arterial line report pressures only when the cuff measures.
public enum CaseSimulator {
    public static func simulate(caseNumber: Int, parameters: SimulationParameters) -> SimulatedCase {
        var random = SimulationRandom(seed: parameters.seed, stream: UInt64(caseNumber))
        let seconds = parameters.secondsPerCase
        let profile = PatientProfile.draw(arterialLineFraction: parameters.arterialLineFraction, using: &random)
        let events = EventSchedule.draw(seconds: seconds, perHour: parameters.eventsPerHour, using: &random)
        let artefacts = ArtefactPlanner.draw(profile: profile, seconds: seconds, using: &random)
        var signals = course(profile: profile, events: events, seconds: seconds, using: &random)
        ArtefactPlanner.apply(artefacts, to: &signals, using: &random)
        let caseID = parameters.caseID(caseNumber)
        return SimulatedCase(caseID: caseID, batch: signals.batch(caseID: caseID, startMicros: parameters.startMicros),
                             events: events, artefacts: artefacts, hasArterialLine: profile.hasArterialLine)
    }

    /// The clean, noisy, rounded signals with the events applied.
    static func course(profile: PatientProfile, events: [DeteriorationEvent], seconds: Int,
                       using random: inout SimulationRandom) -> SimulatedSignals {
        var signals = SimulatedSignals(seconds: seconds)
        var heartRate = SlowDrift(sd: 5, tau: 900, using: &random)
        var systolic = SlowDrift(sd: 7, tau: 900, using: &random)
        var diastolic = SlowDrift(sd: 3, tau: 900, using: &random)
        var saturation = SlowDrift(sd: 0.4, tau: 600, using: &random)
        var endTidal = SlowDrift(sd: 1.5, tau: 1200, using: &random)
        var temperature = SlowDrift(sd: 0.05, tau: 1800, using: &random)
        var ventilator = VentilatorSetting(rate: profile.respiratoryRate)
        let intubated = Int(random.uniform(120...480))      // capnography starts with the tube
        let probePlaced = Int(random.uniform(600...1200))   // temperature probe after induction
        var nextCuff = Int(random.uniform(30...120))
        var values = [Double](repeating: .nan, count: Vital.count)

        for second in 0..<seconds {
            let systolicDrift = systolic.step(using: &random)
            values[Vital.hr.rawValue] = profile.heartRate + heartRate.step(using: &random)
            values[Vital.sbp.rawValue] = profile.systolic + systolicDrift
            values[Vital.dbp.rawValue] = profile.diastolic + 0.55 * systolicDrift + diastolic.step(using: &random)
            values[Vital.spo2.rawValue] = min(100, profile.saturation + saturation.step(using: &random))
            values[Vital.etco2.rawValue] = profile.endTidalCO2 + endTidal.step(using: &random)
            values[Vital.rr.rawValue] = ventilator.step(using: &random)
            values[Vital.temp.rawValue] = profile.temperatureFloor
                + (profile.temperature - profile.temperatureFloor) * exp(-Double(second) / 2700)
                + temperature.step(using: &random)
            for event in events {
                let severity = event.severity(at: second)
                guard severity > 0 else { continue }
                for effect in event.effects {
                    values[effect.vital.rawValue] = effect.apply(to: values[effect.vital.rawValue], severity: severity)
                }
            }
            let sbp = values[Vital.sbp.rawValue], dbp = min(values[Vital.dbp.rawValue], values[Vital.sbp.rawValue] - 15)
            let mbp = MeanPressure.from(systolic: sbp, diastolic: dbp)

            signals[.hr, second] = clamp(values[Vital.hr.rawValue] + random.normal(sd: 1.2), 25, 250).rounded()
            signals[.spo2, second] = clamp(values[Vital.spo2.rawValue] + random.normal(sd: 0.35), 50, 100).rounded()
            if second >= intubated {
                signals[.etco2, second] = clamp(values[Vital.etco2.rawValue] + random.normal(sd: 0.6), 10, 80).rounded()
                signals[.rr, second] = clamp(values[Vital.rr.rawValue] + random.normal(sd: 0.3), 4, 40).rounded()
            }
            if second >= probePlaced {
                signals[.temp, second] = ((values[Vital.temp.rawValue] + random.normal(sd: 0.02)) * 10).rounded() / 10
            }
            if profile.hasArterialLine {
                let measured = clamp(sbp + random.normal(sd: 2.5), 35, 260)
                let measuredDiastolic = clamp(dbp + random.normal(sd: 1.5), 15, measured - 8)
                signals.setPressures(second, measured.rounded(), measuredDiastolic.rounded(),
                                     clamp(mbp + random.normal(sd: 1.2), measuredDiastolic, measured).rounded())
            } else if second == nextCuff {
                // Oscillometry: a few mmHg of error; MAP is what the cuff measures best.
                let cuffSystolic = clamp(sbp + random.normal(sd: 5), 40, 260)
                let cuffDiastolic = clamp(dbp + random.normal(sd: 4), 20, cuffSystolic - 10)
                signals.setPressures(second, cuffSystolic.rounded(), cuffDiastolic.rounded(),
                                     clamp(mbp + random.normal(sd: 3), cuffDiastolic, cuffSystolic).rounded())
                nextCuff += profile.cuffCycle + Int(random.uniform(-3...3))
            }
        }
        return signals
    }
}

/// The ventilator's rate: set by the anaesthetist, changed now and then
/// (about every 3 hours) by a breath or two per minute.
struct VentilatorSetting {
    private(set) var rate: Double

    init(rate: Double) { self.rate = rate }

    mutating func step(using random: inout SimulationRandom) -> Double {
        if random.chance(1.0 / (3 * 3600)) { rate = clamp(rate + (random.chance(0.5) ? 1 : -1) * (random.chance(0.7) ? 1 : 2), 8, 18) }
        return rate
    }
}
