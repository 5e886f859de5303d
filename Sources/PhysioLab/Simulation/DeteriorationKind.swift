import PhysioCore
import PhysioPlatform

/// What an injected event is to a detector.
public enum EventClass: String, Sendable {
    /// Crosses its alarm threshold for over a minute: a detector should warn.
    case deterioration
    /// The same course stopping short of the threshold: a detector that
    /// alarms here adds to the alarm burden.
    case nearMiss = "near_miss"
    /// A change within normal ranges (the response to surgery): no alarm.
    case benign
}

/// The labelled events of `physio simulate` (the `event` column of
/// events.csv). The physiology, speeds and sources of each are in
/// `EventCause`; docs/simulation.md has the table.
public enum DeteriorationKind: String, CaseIterable, Sendable {
    /// Blood loss: MAP falls over 4–12 min with a narrowing pulse pressure;
    /// HR rises minutes later, as the anaesthetised baroreflex responds.
    case haemorrhage
    /// Hypotension 1–4 min after a propofol (or other hypnotic) bolus; HR flat or falling.
    case drugHypotension = "drug_hypotension"
    /// Vagal reflex: HR falls within 10–90 s, pressure with it.
    case vagalBradycardia = "vagal_bradycardia"
    /// Disconnection or obstruction of the airway: EtCO2 collapses within
    /// seconds; SpO2 falls after 0.5–1.5 min of oxygen reserve.
    case airwayDesaturation = "airway_desaturation"
    /// Hypoventilation: EtCO2 climbs over minutes, SpO2 follows.
    case hypoventilation
    /// Emergence from anaesthesia at the end of the case: hypertension and tachycardia.
    case emergenceHypertension = "emergence_hypertension"

    case haemorrhageNearMiss = "haemorrhage_near_miss"
    case drugHypotensionNearMiss = "drug_hypotension_near_miss"
    case vagalBradycardiaNearMiss = "vagal_bradycardia_near_miss"
    case airwayDesaturationNearMiss = "airway_desaturation_near_miss"
    case hypoventilationNearMiss = "hypoventilation_near_miss"
    case emergenceHypertensionNearMiss = "emergence_hypertension_near_miss"

    /// Sympathetic response to incision or traction: HR and pressure up, within normal ranges.
    case surgicalStimulation = "surgical_stimulation"

    // Names of an earlier version of the simulator: still read from old
    // events.csv files, never generated.
    case hypotension, desaturation, tachycardia, bradycardia, hypertension

    /// The kinds the simulator generates (not the old names).
    public static let generated: [DeteriorationKind] = allCases.filter { $0.cause != nil }
    public static let deteriorations = generated.filter { $0.eventClass == .deterioration }
    public static let nearMisses = generated.filter { $0.eventClass == .nearMiss }

    public var eventClass: EventClass {
        switch self {
        case .haemorrhageNearMiss, .drugHypotensionNearMiss, .vagalBradycardiaNearMiss, .airwayDesaturationNearMiss,
             .hypoventilationNearMiss, .emergenceHypertensionNearMiss: .nearMiss
        case .surgicalStimulation: .benign
        default: .deterioration
        }
    }

    /// The physiology behind the kind; nil for the old names.
    var cause: EventCause? {
        switch self {
        case .haemorrhage, .haemorrhageNearMiss: .haemorrhage
        case .drugHypotension, .drugHypotensionNearMiss: .drugHypotension
        case .vagalBradycardia, .vagalBradycardiaNearMiss: .vagalBradycardia
        case .airwayDesaturation, .airwayDesaturationNearMiss: .airwayDesaturation
        case .hypoventilation, .hypoventilationNearMiss: .hypoventilation
        case .emergenceHypertension, .emergenceHypertensionNearMiss: .emergenceHypertension
        case .surgicalStimulation: .surgicalStimulation
        case .hypotension, .desaturation, .tachycardia, .bradycardia, .hypertension: nil
        }
    }

    /// The vitals an explanation of the episode should name first: where
    /// the event shows most and earliest.
    public var primaryVitals: [Vital] {
        switch self {
        case .haemorrhage, .haemorrhageNearMiss, .drugHypotension, .drugHypotensionNearMiss, .hypotension: [.mbp, .sbp, .dbp]
        case .vagalBradycardia, .vagalBradycardiaNearMiss, .bradycardia, .tachycardia: [.hr]
        // EtCO2 and the capnograph's RR move first (gone, or slowing: RR ≤ 8 is itself a rule); SpO2 crosses its limit later.
        case .airwayDesaturation, .airwayDesaturationNearMiss, .hypoventilation, .hypoventilationNearMiss: [.spo2, .etco2, .rr]
        case .desaturation: [.spo2]
        case .emergenceHypertension, .emergenceHypertensionNearMiss: [.sbp, .mbp, .dbp, .hr]
        case .hypertension: [.sbp, .mbp, .dbp]
        case .surgicalStimulation: [.hr, .sbp, .mbp, .dbp]
        }
    }

    /// The standard clinical rule a deterioration of this kind breaches and
    /// its near miss approaches without breaching; nil for a benign change.
    public var threshold: ClinicalRule? {
        let id: String
        switch self {
        case .haemorrhage, .haemorrhageNearMiss, .drugHypotension, .drugHypotensionNearMiss, .hypotension: id = "mbp_lt_65"
        case .vagalBradycardia, .vagalBradycardiaNearMiss, .bradycardia: id = "hr_lt_40"
        case .airwayDesaturation, .airwayDesaturationNearMiss, .hypoventilation, .hypoventilationNearMiss, .desaturation:
            id = "spo2_lt_90"
        case .emergenceHypertension, .emergenceHypertensionNearMiss, .hypertension: id = "sbp_gt_180"
        case .tachycardia: id = "hr_gt_140"
        case .surgicalStimulation: return nil
        }
        return ClinicalRules.standard.rules.first { $0.id == id }
    }
}
