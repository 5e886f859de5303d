import PhysioCore
import PhysioPlatform

/// A simulated patient's undisturbed values and the times of induction's
/// milestones, drawn per case around the intra-operative medians of VitalDB (HR 72/min, SBP 120,
/// DBP 56 mmHg, SpO2 99 %; 5th–95th percentiles HR 59–90, SBP 90–167, DBP
/// 41–73), a ventilated patient's RR and EtCO2, and core temperature.
struct PatientProfile: Sendable {
    let heartRate: Double
    let systolic: Double
    let diastolic: Double
    let saturation: Double
    let respiratoryRate: Double
    let endTidalCO2: Double
    /// Core temperature at the start; it falls exponentially towards
    /// `temperatureFloor` (redistribution hypothermia after induction), kept
    /// above 35.2 °C as active warming does (NICE CG65), so the T ≤ 35 alarm
    /// comes from no unlabelled course.
    let temperature: Double
    let temperatureFloor: Double
    /// Second of intubation: capnography (EtCO2, RR) starts here.
    let intubated: Int
    /// Second the temperature probe is placed, after induction.
    let probePlaced: Int

    static func draw(using random: inout SimulationRandom) -> PatientProfile {
        let systolic = clamp(random.normal(mean: 120, sd: 13), 100, 155)
        // A patient at rest under anaesthesia is not hypotensive: MAP ≥ 78 at baseline
        // (a low systolic comes with a narrow pulse pressure).
        let lowestDiastolic = max(45, (78 - MeanPressure.pulseFraction * systolic) / (1 - MeanPressure.pulseFraction))
        let diastolic = clamp(random.normal(mean: 56, sd: 7), lowestDiastolic, min(80, systolic - 35))
        let saturation = [98.0, 99, 99, 99, 100][Int(random.unit() * 5)]
        let temperature = clamp(random.normal(mean: 36.5, sd: 0.3), 35.8, 37.3)
        return PatientProfile(
            heartRate: clamp(random.normal(mean: 72, sd: 9), 55, 100),
            systolic: systolic,
            diastolic: diastolic,
            saturation: saturation,
            respiratoryRate: Double(10 + Int(random.unit() * 5)),
            endTidalCO2: clamp(random.normal(mean: 34, sd: 2.5), 28, 42),
            temperature: temperature,
            temperatureFloor: max(35.3, temperature - random.uniform(0.4...1.0)),
            intubated: Int(random.uniform(120...480)),
            probePlaced: Int(random.uniform(600...1200)))
    }
}

@inline(__always)
func clamp(_ value: Double, _ low: Double, _ high: Double) -> Double { min(max(value, low), high) }

/// MAP from systolic and diastolic: DBP + 0.412 × (SBP − DBP) (Meaney et al.,
/// Blood Press Monit 2000), closer to the monitor's integrated arterial MAP
/// than the textbook one third (VitalDB: 120/56 mmHg with MAP ≈ 80).
enum MeanPressure {
    static let pulseFraction = 0.412

    static func from(systolic: Double, diastolic: Double) -> Double {
        diastolic + pulseFraction * (systolic - diastolic)
    }
}
