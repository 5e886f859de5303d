#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import PhysioCore
import PhysioPlatform

/// The patient's true vitals, one value per second, before any monitor
/// measures them: the patient's values (`PatientProfile`) plus slow drift
/// (`SlowDrift`), moved by the events (`DeteriorationEffect`). MAP follows
/// systolic and diastolic (`MeanPressure`). Every vital is present every
/// second; what is measured, and how, is `MonitorMeasurement`'s business.
enum PatientCourse {
    static func simulate(profile: PatientProfile, events: [DeteriorationEvent], seconds: Int,
                         using random: inout SimulationRandom) -> SimulatedSignals {
        var course = SimulatedSignals(seconds: seconds)
        var heartRate = SlowDrift(sd: 5, tau: 900, using: &random)
        var systolic = SlowDrift(sd: 7, tau: 900, using: &random)
        var diastolic = SlowDrift(sd: 3, tau: 900, using: &random)
        var saturation = SlowDrift(sd: 0.4, tau: 600, using: &random)
        var endTidal = SlowDrift(sd: 1.5, tau: 1200, using: &random)
        var temperature = SlowDrift(sd: 0.05, tau: 1800, using: &random)
        var ventilator = VentilatorSetting(rate: profile.respiratoryRate)
        var values = [Double](repeating: 0, count: Vital.count)

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
            for event in events where second >= event.onset && second < event.end {
                for effect in event.effects {
                    let severity = event.severity(of: effect, at: second)
                    guard severity > 0 else { continue }
                    values[effect.vital.rawValue] = effect.apply(to: values[effect.vital.rawValue], severity: severity)
                }
            }
            let sbp = values[Vital.sbp.rawValue], dbp = min(values[Vital.dbp.rawValue], sbp - 15)
            course[.hr, second] = values[Vital.hr.rawValue]
            course.setPressures(second, sbp, dbp, MeanPressure.from(systolic: sbp, diastolic: dbp))
            course[.spo2, second] = min(100, values[Vital.spo2.rawValue])
            course[.etco2, second] = max(0, values[Vital.etco2.rawValue])
            course[.rr, second] = max(0, values[Vital.rr.rawValue])
            course[.temp, second] = values[Vital.temp.rawValue]
        }
        return course
    }
}

/// The ventilator's rate: set by the anaesthetist, changed now and then
/// (about every 3 hours) by a breath or two per minute, within 10–18
/// (above the RR ≤ 8 alarm: alarms come from the labelled events).
struct VentilatorSetting {
    private(set) var rate: Double

    init(rate: Double) { self.rate = rate }

    mutating func step(using random: inout SimulationRandom) -> Double {
        if random.chance(1.0 / (3 * 3600)) { rate = clamp(rate + (random.chance(0.5) ? 1 : -1) * (random.chance(0.7) ? 1 : 2), 10, 18) }
        return rate
    }
}
