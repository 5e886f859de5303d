import PhysioCore

/// Which `.vital` numeric tracks become which physio vital (the table in
/// docs/vitaldb.md). Devices of VitalDB's open dataset (GE Solar 8000M, Dräger
/// Primus, Edwards Vigilance) and Philips IntelliVue as Vital Recorder names
/// its labels (ECG_HR, ABP_SYS, NIBP_SYS, PLETH_SAT_O2, CO2_ET, RR, TEMP_…).
///
/// The first track in a vital's list that has at least one numeric sample is
/// used for the whole case ("any device" matches are ranked by sample count),
/// so a vital never mixes two monitors. HR is the ECG rate (PLETH_HR, the
/// pulse oximeter's rate, is not used). RR is the capnographic rate when
/// there is one; the impedance rate (`RR`) only when there is none, because
/// under mechanical ventilation it can follow the ventilator or the heart.
/// Temperature is a core site (blood, oesophageal, nasopharyngeal, rectal or
/// the monitor's unspecified TEMP), never skin. How the arterial line and
/// the cuff share sbp/dbp/mbp: see `VitalResampler`.
public enum VitalTrackMap {
    public static let plain: [(Vital, [String])] = [
        (.hr, ["Solar8000/HR", "Intellivue/ECG_HR", "Intellivue/HR", "*/HR", "*/ECG_HR"]),
        (.spo2, ["Solar8000/PLETH_SPO2", "Intellivue/PLETH_SAT_O2", "*/PLETH_SPO2", "*/PLETH_SAT_O2", "*/SPO2"]),
        (.rr, ["Solar8000/RR_CO2", "Primus/RR_CO2", "Intellivue/CO2_RR", "Intellivue/AWAY_RR", "*/RR_CO2", "*/CO2_RR", "*/AWAY_RR",
               "Solar8000/RR", "Intellivue/RR", "*/RR"]),
        (.etco2, ["Solar8000/ETCO2", "Primus/ETCO2", "Intellivue/CO2_ET", "Intellivue/ETCO2", "*/ETCO2", "*/CO2_ET"]),
        (.temp, ["Solar8000/BT", "Intellivue/TEMP", "Intellivue/BT", "Intellivue/TEMP_BLD", "Intellivue/TEMP_ESOPH", "Intellivue/TEMP_NASOPH",
                 "Intellivue/TEMP_RECT", "Intellivue/TEMP_CORE", "Vigilance/BT_PA", "*/BT", "*/TEMP"]),
    ]

    /// Invasive arterial pressure (an arterial line).
    public static let arterial: [(Vital, [String])] = [
        (.sbp, ["Solar8000/ART_SBP", "Intellivue/ABP_SYS", "Intellivue/ART_SYS", "*/ART_SBP", "*/ABP_SYS", "*/ART_SYS"]),
        (.dbp, ["Solar8000/ART_DBP", "Intellivue/ABP_DIA", "Intellivue/ART_DIA", "*/ART_DBP", "*/ABP_DIA", "*/ART_DIA"]),
        (.mbp, ["Solar8000/ART_MBP", "Intellivue/ABP_MEAN", "Intellivue/ART_MEAN", "*/ART_MBP", "*/ABP_MEAN", "*/ART_MEAN"]),
    ]

    /// Non-invasive (cuff) pressure, measured every few minutes.
    public static let cuff: [(Vital, [String])] = [
        (.sbp, ["Solar8000/NIBP_SBP", "Intellivue/NIBP_SYS", "*/NIBP_SBP", "*/NIBP_SYS"]),
        (.dbp, ["Solar8000/NIBP_DBP", "Intellivue/NIBP_DIA", "*/NIBP_DBP", "*/NIBP_DIA"]),
        (.mbp, ["Solar8000/NIBP_MBP", "Intellivue/NIBP_MEAN", "*/NIBP_MBP", "*/NIBP_MEAN"]),
    ]

    /// Picks the tracks of a recording.
    public static func select(from recording: VitalRecording) -> VitalTrackSelection {
        let candidates = recording.tracks.values
            .filter { recording.numeric[$0.id].map { $0.count > 0 } ?? false }
            .sorted { $0.id < $1.id }
        func choose(_ rules: [(Vital, [String])]) -> [Vital: VitalTrack] {
            var chosen: [Vital: VitalTrack] = [:]
            for (vital, patterns) in rules {
                if let track = firstMatch(patterns, in: candidates, counts: recording.numeric) { chosen[vital] = track }
            }
            return chosen
        }
        return VitalTrackSelection(plain: choose(plain), arterial: choose(arterial), cuff: choose(cuff))
    }

    /// Whether a track name such as "Solar8000/HR" (or a bare "HR") fits a
    /// pattern: "Device/NAME" matches exactly, "*/NAME" NAME of any device.
    public static func matches(_ pattern: String, qualifiedName: String) -> Bool {
        guard pattern.hasPrefix("*/") else { return pattern == qualifiedName }
        let name = pattern.dropFirst(2)
        guard let slash = qualifiedName.lastIndex(of: "/") else { return qualifiedName == name }
        return qualifiedName[qualifiedName.index(after: slash)...] == name
    }

    /// "Device/NAME" matches exactly; "*/NAME" matches NAME of any device (or
    /// of none), the one with most samples first.
    static func firstMatch(_ patterns: [String], in tracks: [VitalTrack], counts: [UInt16: VitalSeries]) -> VitalTrack? {
        for pattern in patterns {
            if pattern.hasPrefix("*/") {
                let name = String(pattern.dropFirst(2))
                let matches = tracks.filter { $0.name == name }
                if let best = matches.max(by: { (counts[$0.id]?.count ?? 0) < (counts[$1.id]?.count ?? 0) }) { return best }
            } else if let track = tracks.first(where: { $0.qualifiedName == pattern }) {
                return track
            }
        }
        return nil
    }
}

/// The tracks chosen for one recording.
public struct VitalTrackSelection: Sendable {
    public let plain: [Vital: VitalTrack]
    public let arterial: [Vital: VitalTrack]
    public let cuff: [Vital: VitalTrack]

    /// "hr=Solar8000/HR sbp=Solar8000/ART_SBP|Solar8000/NIBP_SBP …", for logs.
    public var summary: String {
        Vital.allCases.compactMap { vital -> String? in
            let names = [plain[vital], arterial[vital], cuff[vital]].compactMap { $0?.qualifiedName }
            return names.isEmpty ? nil : "\(vital.name)=\(names.joined(separator: "|"))"
        }.joined(separator: " ")
    }
}
