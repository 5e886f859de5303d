import PhysioCore
import PhysioPlatform

/// What a case's monitor sends: the vitals that are connected, and where
/// the pressures come from. The patient underneath is the same whatever
/// the feed (case n has the same course and events under every feed).
public enum MonitorFeed: String, CaseIterable, Sendable {
    /// All eight vitals each second; pressures from an arterial line.
    case all
    /// All eight; pressures from the cuff every 3–5 min (general
    /// anaesthesia without an arterial line, the commonest set-up).
    case allNIBP = "all_nibp"
    /// HR and arterial SBP/DBP/MAP each second.
    case artLine = "art_line"
    /// Arterial MAP only (the line is the only device connected yet).
    case mapOnly = "map_only"
    /// HR and SpO2 each second, nothing else.
    case hrSpO2 = "hr_spo2"
    /// HR and SpO2 each second, cuff SBP/DBP/MAP every 3–5 min.
    case nibp

    public enum PressureSource: Sendable { case arterialLine, cuff, none }

    public var pressureSource: PressureSource {
        switch self {
        case .all, .artLine, .mapOnly: .arterialLine
        case .allNIBP, .nibp: .cuff
        case .hrSpO2: .none
        }
    }

    /// The columns this feed fills (the others stay empty).
    public var vitals: [Vital] {
        switch self {
        case .all, .allNIBP: Vital.allCases
        case .artLine: [.hr, .sbp, .dbp, .mbp]
        case .mapOnly: [.mbp]
        case .hrSpO2: [.hr, .spo2]
        case .nibp: [.hr, .sbp, .dbp, .mbp, .spo2]
        }
    }

    public func sends(_ vital: Vital) -> Bool { vitals.contains(vital) }
}
