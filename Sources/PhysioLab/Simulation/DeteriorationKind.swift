import PhysioCore
import PhysioPlatform

/// The intra-operative deteriorations the simulator injects. Each develops
/// gradually (a ramp of minutes from onset to peak), holds, then recovers as
/// the anaesthetist treats it; at its peak it crosses physio's clinical alarm
/// thresholds (HR > 140 or < 40, SpO2 < 90, SBP < 80 or > 180, MAP < 65) for
/// well over a minute, so both the threshold rules and an early-warning
/// detector have something to find, and the ramp leaves minutes of warning.
public enum DeteriorationKind: String, CaseIterable, Sendable {
    /// Hypotension: blood loss, vasodilation from the anaesthetic (propofol,
    /// volatile agents, neuraxial block) or caval compression lower systemic
    /// vascular resistance or preload. Systolic falls to 62–76 mmHg, diastolic
    /// to 32–42 (MAP ≈ 45–56); the baroreflex raises HR by 8–20/min.
    /// Ramp 3–8 min, plateau 2–6 min, recovery 2–5 min (fluids, vasopressor).
    case hypotension
    /// Desaturation: endobronchial intubation, atelectasis, bronchospasm or
    /// hypoventilation reduce oxygenation. SpO2 falls to 80–87 %; EtCO2 rises
    /// 0–8 mmHg (hypoventilation retains CO2); HR rises 5–15/min.
    /// Ramp 2–6 min, plateau 1.5–4 min, recovery 1–3 min (FiO2 up, recruitment).
    case desaturation
    /// Tachycardia: light anaesthesia under surgical stimulation, hypovolaemia
    /// or drugs (ephedrine, atropine). HR rises to 145–165/min; sympathetic
    /// drive raises systolic 5–15 mmHg.
    /// Ramp 2–6 min, plateau 2–5 min, recovery 2–5 min.
    case tachycardia
    /// Bradycardia: vagal reflexes (peritoneal traction, pneumoperitoneum,
    /// oculocardiac), opioids (remifentanil) or beta-blockade. HR falls to
    /// 33–38/min; cardiac output and systolic pressure fall 10–20 mmHg.
    /// Ramp 1–4 min, plateau 1.5–4 min, recovery 1–3 min (atropine, stop stimulus).
    case bradycardia
    /// Hypertension: inadequate analgesia for the stimulus (incision,
    /// intubation, emergence) or vasopressor overshoot. Systolic rises to
    /// 188–215 mmHg, diastolic to 95–115; HR rises 5–15/min.
    /// Ramp 3–8 min, plateau 2–5 min, recovery 3–6 min (deeper anaesthesia, antihypertensive).
    case hypertension

    /// Minutes from onset to peak, at the peak, and back to baseline.
    var phaseMinutes: (ramp: ClosedRange<Double>, plateau: ClosedRange<Double>, recovery: ClosedRange<Double>) {
        switch self {
        case .hypotension: (3...8, 2...6, 2...5)
        case .desaturation: (2...6, 1.5...4, 1...3)
        case .tachycardia: (2...6, 2...5, 2...5)
        case .bradycardia: (1...4, 1.5...4, 1...3)
        case .hypertension: (3...8, 2...5, 3...6)
        }
    }

    /// What the event does at full severity: a target a vital is pulled to,
    /// or a shift added to it. Drawn once per event.
    func effects(using random: inout SimulationRandom) -> [DeteriorationEffect] {
        switch self {
        case .hypotension:
            [.target(.sbp, random.uniform(62...76)), .target(.dbp, random.uniform(32...42)),
             .shift(.hr, random.uniform(8...20))]
        case .desaturation:
            [.target(.spo2, random.uniform(80...87)), .shift(.etco2, random.uniform(0...8)),
             .shift(.hr, random.uniform(5...15))]
        case .tachycardia:
            [.target(.hr, random.uniform(145...165)), .shift(.sbp, random.uniform(5...15)),
             .shift(.dbp, random.uniform(3...8))]
        case .bradycardia:
            [.target(.hr, random.uniform(33...38)), .shift(.sbp, -random.uniform(10...20)),
             .shift(.dbp, -random.uniform(5...10))]
        case .hypertension:
            [.target(.sbp, random.uniform(188...215)), .target(.dbp, random.uniform(95...115)),
             .shift(.hr, random.uniform(5...15))]
        }
    }
}

/// How an event moves one vital at severity s ∈ [0, 1]: `target` blends the
/// undisturbed value towards the target, `shift` adds s × amount. MAP is not
/// listed: it follows systolic and diastolic.
enum DeteriorationEffect: Sendable {
    case target(Vital, Double)
    case shift(Vital, Double)

    func apply(to value: Double, severity: Double) -> Double {
        switch self {
        case .target(_, let target): value + severity * (target - value)
        case .shift(_, let amount): value + severity * amount
        }
    }

    var vital: Vital {
        switch self {
        case .target(let vital, _), .shift(let vital, _): vital
        }
    }
}
