import PhysioCore
import PhysioPlatform

/// The physiology behind each kind of event: which vitals move, how far,
/// how fast, and how they recover. Sizes are for an anaesthetised adult
/// around VitalDB's medians (HR 72, 120/56 mmHg, MAP ≈ 82, SpO2 99 %,
/// EtCO2 34). A near miss follows the same time course with its threshold
/// vital stopping short of the alarm limit (MAP 67–73 mmHg, HR 43–50/min,
/// SpO2 91–94 %, SBP 166–175 mmHg) and every other vital moving about half
/// as far, never into another alarm.
/// SpO2 delays include the finger probe's 20–50 s behind the lungs (Hamber
/// et al., J Clin Anesth 1999;11:113).
enum EventCause: CaseIterable, Sendable {
    /// Guyton & Hall, Textbook of Medical Physiology, "Circulatory shock":
    /// arterial pressure falls as the lost volume exceeds what
    /// vasoconstriction can hold, pulse pressure narrows (diastolic held by
    /// vasoconstriction) and end-tidal CO2 falls with cardiac output (Isserles
    /// & Breen, Anesth Analg 1991;73:808). Awake, HR rises first (ATLS 10th
    /// ed., class II); under volatile anaesthesia or propofol the baroreflex
    /// is blunted (Kotrly et al., Anesthesiology 1984;60:173), so HR follows
    /// the pressure 1.5–4 min late. Recovery with fluids, blood and
    /// vasopressors over 5–15 min.
    case haemorrhage
    /// Hypotension after a propofol (or other hypnotic) bolus: vasodilation
    /// and less contractility lower MAP by 25–40 % over 1–4 min; propofol
    /// resets the baroreflex, so HR stays flat or falls (Ebert et al.,
    /// Anesthesiology 1992;76:725; Reich et al., Anesth Analg 2005;101:622;
    /// Südfeld et al., Br J Anaesth 2017;119:57). A vasopressor or the
    /// drug's redistribution restores it in 3–8 min.
    case drugHypotension
    /// Vagal reflex (peritoneal traction, pneumoperitoneum, oculocardiac,
    /// laryngoscopy): HR falls within 10–90 s, cardiac output and pressure
    /// with it; back within 20–90 s of stopping the stimulus or of atropine
    /// (Kinsella & Tuckey, Br J Anaesth 2001;86:859).
    case vagalBradycardia
    /// Breathing-circuit disconnection or complete obstruction (70 %:
    /// EtCO2 and the capnographic rate drop to 0 within breaths) or a
    /// partial obstruction or severe bronchospasm (EtCO2 8–18 mmHg) (Kodali,
    /// Anesthesiology 2013;118:192). SpO2 holds on the lungs' oxygen store
    /// for 0.5–1.5 min, then falls steeply over 1–3 min (Farmery & Roe, Br
    /// J Anaesth 1996;76:284; Benumof et al., Anesthesiology 1997;87:979);
    /// HR rises with the hypoxaemia. Reconnection restores EtCO2 at once
    /// and SpO2 over 1–2.5 min.
    case airwayDesaturation
    /// Too little ventilation (a leak, small tidal volumes, or in half of
    /// the events a slow spontaneous rate under opioid): EtCO2 climbs over
    /// 2–5 min (PaCO2 rises 3–6 mmHg/min in apnoea: Eger & Severinghaus,
    /// Anesthesiology 1961;22:419) and, by the alveolar gas equation (West,
    /// Respiratory Physiology), alveolar O2 falls and SpO2 follows 1–2 min
    /// behind. At FiO2 0.3–0.5 alone this rarely desaturates; it does with
    /// atelectasis or a low FiO2, as the events here assume.
    case hypoventilation
    /// Emergence and extubation: catecholamines raise SBP by 20–40 % and HR
    /// by 25–50/min over 2–6 min (Lowrie et al., Br J Anaesth 1992;68:261;
    /// Hartley & Vaughan, Br J Anaesth 1993;71:561); EtCO2 is let rise to
    /// drive spontaneous breathing. Placed in the last 30 min of the case;
    /// settles over 3–8 min.
    case emergenceHypertension
    /// Incision, retraction or a lightening plane: HR +6–18, SBP +10–25
    /// mmHg within 0.5–2 min, capped within normal ranges (HR 110, SBP 160,
    /// DBP 90) (Roizen et al., MAC-BAR, Anesthesiology 1981;54:390);
    /// settles over 2–5 min as analgesia is deepened. Never a near miss.
    case surgicalStimulation

    /// One line for the README beside simulated data (deterioration; near miss).
    var summary: String {
        switch self {
        case .haemorrhage: "MAP to 45–58 (near miss 67–73) over 4–12 min, pulse pressure narrows, EtCO2 −3–8; HR +15–35 from 2.5–6.5 min after onset"
        case .drugHypotension: "MAP to 48–60 (67–73) over 1–4 min from 15–45 s after the bolus; HR flat or −0–8"
        case .vagalBradycardia: "HR to 28–38 (43–50) within 10–90 s, SBP −15–35 (−5–12); back within 20–90 s"
        case .airwayDesaturation: "EtCO2 to 0–3 (RR 0) or 8–18 within 5–20 s (near miss 15–25); SpO2 to 75–86 (91–94) after 0.5–1.5 min, over 1–3 min; HR +10–25"
        case .hypoventilation: "EtCO2 +10–25 (+6–12) over 2–5 min, RR to 4–7 in half; SpO2 to 82–88 (91–94) from 1–2 min; HR +5–15"
        case .emergenceHypertension: "in the last 30 min: SBP to 185–215 (166–175), DBP 95–115, HR +25–50, over 2–6 min"
        case .surgicalStimulation: "HR +6–18, SBP +10–25 within 0.5–2 min, capped at HR 110, SBP 160"
        }
    }

    struct Shape {
        /// Seconds the primary vitals stay at full effect before recovery starts.
        let plateau: Int
        let effects: [DeteriorationEffect]
    }

    func shape(nearMiss: Bool, using random: inout SimulationRandom) -> Shape {
        func value(_ range: ClosedRange<Double>) -> Double { random.uniform(range) }
        func seconds(_ range: ClosedRange<Double>) -> Int { Int(random.uniform(range)) }
        let near = nearMiss ? 0.5 : 1.0          // secondary vitals in a near miss
        let hrLimit: Double? = nearMiss ? 130 : nil   // …never into the HR > 140 alarm

        switch self {
        case .haemorrhage:
            let (rise, fall) = (seconds(240...720), seconds(300...900))
            let (systolic, diastolic) = Self.pressures(mean: value(nearMiss ? 67...73 : 45...58),
                                                       pulse: value(nearMiss ? 32...44 : 20...32))
            return Shape(plateau: seconds(nearMiss ? 120...420 : 180...600), effects: [
                .init(.sbp, .target(systolic), rise: rise, fall: fall),
                .init(.dbp, .target(diastolic), rise: rise, fall: fall),
                .init(.etco2, .shift(-value(3...8) * near, limit: nil), rise: rise, fall: fall),
                // The blunted baroreflex answers once MAP has fallen about a quarter of the way.
                .init(.hr, .shift(value(15...35) * near, limit: hrLimit), delay: Int(0.35 * Double(rise)) + seconds(60...150),
                      rise: seconds(180...480), fall: fall + seconds(60...180)),
            ])
        case .drugHypotension:
            let (delay, rise, fall) = (seconds(15...45), seconds(60...240), seconds(180...480))
            let (systolic, diastolic) = Self.pressures(mean: value(nearMiss ? 67...73 : 48...60),
                                                       pulse: value(nearMiss ? 34...46 : 28...42))
            return Shape(plateau: seconds(60...240), effects: [
                .init(.sbp, .target(systolic), delay: delay, rise: rise, fall: fall),
                .init(.dbp, .target(diastolic), delay: delay, rise: rise, fall: fall),
                .init(.hr, .shift(-value(0...8) * near, limit: nil), delay: delay, rise: rise, fall: fall),
            ])
        case .vagalBradycardia:
            let (rise, fall) = (seconds(10...90), seconds(20...90))
            let lag = seconds(3...10)   // pressure follows the slowing heart within beats
            return Shape(plateau: seconds(nearMiss ? 30...120 : 60...180), effects: [
                .init(.hr, .target(value(nearMiss ? 43...50 : 28...38)), rise: rise, fall: fall),
                .init(.sbp, .shift(-value(nearMiss ? 5...12 : 15...35), limit: nearMiss ? 90 : nil),
                      delay: lag, rise: rise, fall: fall),
                .init(.dbp, .shift(-value(nearMiss ? 3...8 : 8...18), limit: nearMiss ? 55 : nil),
                      delay: lag, rise: rise, fall: fall),
            ])
        case .airwayDesaturation:
            let complete = !nearMiss && random.chance(0.7)
            let (gone, back) = (seconds(5...20), seconds(10...30))
            let saturationDelay = seconds(30...90)
            var effects: [DeteriorationEffect] = [
                .init(.etco2, .target(complete ? value(0...3) : value(nearMiss ? 15...25 : 8...18)), rise: gone, fall: back),
                .init(.spo2, .target(value(nearMiss ? 91...94 : 75...86)), delay: saturationDelay,
                      rise: seconds(60...180), fall: seconds(60...150)),
                .init(.hr, .shift(value(10...25) * near, limit: hrLimit), delay: saturationDelay + seconds(30...60),
                      rise: seconds(60...120), fall: seconds(60...180)),
            ]
            if complete { effects.append(.init(.rr, .target(0), rise: gone, fall: back)) }
            return Shape(plateau: seconds(30...120), effects: effects)
        case .hypoventilation:
            let rateFalls = random.chance(0.5)
            var effects: [DeteriorationEffect] = [
                .init(.etco2, .shift(value(nearMiss ? 6...12 : 10...25), limit: nil), rise: seconds(120...300), fall: seconds(120...240)),
                .init(.spo2, .target(value(nearMiss ? 91...94 : 82...88)), delay: seconds(60...120),
                      rise: seconds(90...180), fall: seconds(60...120)),
                .init(.hr, .shift(value(5...15) * near, limit: hrLimit), delay: seconds(60...180),
                      rise: seconds(120...240), fall: seconds(120...240)),
            ]
            if rateFalls {
                // A near miss keeps the rate above the RR ≤ 8 alarm.
                let change: DeteriorationEffect.Change = nearMiss ? .shift(-value(2...4), limit: 10) : .target(value(4...7))
                effects.append(.init(.rr, change, rise: seconds(30...90), fall: seconds(30...60)))
            }
            return Shape(plateau: seconds(120...300), effects: effects)
        case .emergenceHypertension:
            let (rise, fall) = (seconds(120...360), seconds(180...480))
            return Shape(plateau: seconds(120...360), effects: [
                .init(.sbp, .target(value(nearMiss ? 166...175 : 185...215)), rise: rise, fall: fall),
                .init(.dbp, .target(value(nearMiss ? 82...92 : 95...115)), rise: rise, fall: fall),
                .init(.hr, .shift(value(25...50) * (nearMiss ? 0.6 : 1), limit: hrLimit), delay: seconds(0...60),
                      rise: seconds(60...240), fall: fall),
                .init(.etco2, .shift(value(3...8), limit: nil), rise: seconds(180...360), fall: fall),
            ])
        case .surgicalStimulation:
            let (rise, fall) = (seconds(30...120), seconds(120...300))
            return Shape(plateau: seconds(120...480), effects: [
                .init(.hr, .shift(value(6...18), limit: 110), rise: rise, fall: fall),
                .init(.sbp, .shift(value(10...25), limit: 160), rise: rise, fall: fall),
                .init(.dbp, .shift(value(5...12), limit: 90), rise: rise, fall: fall),
            ])
        }
    }

    /// Systolic and diastolic with this mean and pulse pressure (`MeanPressure`).
    static func pressures(mean: Double, pulse: Double) -> (systolic: Double, diastolic: Double) {
        (mean + (1 - MeanPressure.pulseFraction) * pulse, mean - MeanPressure.pulseFraction * pulse)
    }
}
