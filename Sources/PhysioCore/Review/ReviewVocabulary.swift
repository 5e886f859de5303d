/// What a clinician can say about an anomaly episode: a verdict, and
/// optionally why. The lists are closed (the database has them as enums),
/// so verdicts can be counted and compared across cases and sites.
public enum ReviewVerdict: String, CaseIterable, Sendable {
    /// A real change in the patient that warranted the alarm.
    case trueAlarm = "true_alarm"
    /// The patient was fine: nothing needed attention.
    case falseAlarm = "false_alarm"
    /// The measurement was wrong (a flushed line, a probe off, diathermy noise).
    case artefact
    case notSure = "not_sure"

    /// Whether a verdict says the alarm was right; nil for `not_sure`.
    public var isTrue: Bool? {
        switch self {
        case .trueAlarm: true
        case .falseAlarm, .artefact: false
        case .notSure: nil
        }
    }
}

/// Why, in the words operating-room alarm studies use for the common causes.
public enum ReviewReason: String, CaseIterable, Sendable {
    /// An arterial line flushed or sampled from: a pressure spike or square wave.
    case lineFlush = "line_flush"
    /// A pulse-oximetry probe off or displaced, a cuff or lead disconnected.
    case probeOff = "probe_off"
    case patientMovement = "patient_movement"
    /// Electrosurgical interference.
    case electrocautery
    /// A drug given: a vasopressor, an induction agent, an opioid.
    case drugGiven = "drug_given"
    /// A surgical or anaesthetic intervention: incision, intubation, positioning, tourniquet.
    case intervention
}

/// What a reviewer did: acknowledged the episode ("seen"), or annotated it with a verdict.
public enum ReviewAction: String, CaseIterable, Sendable {
    case acknowledge
    case annotate
}
