import PhysioCore

/// Which FHIR Observation codes mean which vital, and the units accepted for
/// each (UCUM), converted to physio's units.
enum VitalSignCodes {
    static let loinc = "http://loinc.org"
    /// ISO/IEEE 11073-10101 nomenclature (MDC), used by device gateways.
    static let mdc = "urn:iso:std:iso:11073:10101"

    enum Meaning: Equatable {
        case vital(Vital)
        /// The blood-pressure panel: values are in its components.
        case bloodPressurePanel
    }

    static let codes: [String: [String: Meaning]] = [
        loinc: [
            "8867-4": .vital(.hr),        // Heart rate
            "59408-5": .vital(.spo2),     // Oxygen saturation by pulse oximetry
            "2708-6": .vital(.spo2),      // Oxygen saturation in arterial blood
            "85354-9": .bloodPressurePanel,
            "8480-6": .vital(.sbp),       // Systolic blood pressure
            "8462-4": .vital(.dbp),       // Diastolic blood pressure
            "8478-0": .vital(.mbp),       // Mean blood pressure
            "9279-1": .vital(.rr),        // Respiratory rate
            "8310-5": .vital(.temp),      // Body temperature
            "19889-5": .vital(.etco2),    // CO2 partial pressure, end-tidal
        ],
        mdc: [
            "147842": .vital(.hr),        // MDC_ECG_HEART_RATE
            "150456": .vital(.spo2),      // MDC_PULS_OXIM_SAT_O2
            "150017": .vital(.sbp),       // MDC_PRESS_BLD_SYS
            "150018": .vital(.dbp),       // MDC_PRESS_BLD_DIA
            "150019": .vital(.mbp),       // MDC_PRESS_BLD_MEAN
            "151562": .vital(.rr),        // MDC_RESP_RATE
            "150344": .vital(.temp),      // MDC_TEMP
            "151708": .vital(.etco2),     // MDC_AWAY_CO2_ET
        ],
    ]

    static func meaning(system: String?, code: String?) -> Meaning? {
        guard let system, let code else { return nil }
        return codes[system]?[code]
    }

    /// The value in physio's unit, or nil if `unit` (a UCUM code) is not one
    /// accepted for `vital`. No unit given means physio's own.
    static func convert(_ value: Double, unit: String?, for vital: Vital) -> Double? {
        guard let unit else { return value }
        switch vital {
        case .hr, .rr:
            return ["/min", "{beats}/min", "{breaths}/min", "1/min", "{Beats}/min"].contains(unit) ? value : nil
        case .spo2:
            return unit == "%" ? value : nil
        case .sbp, .dbp, .mbp:
            return unit == "mm[Hg]" || unit == "mmHg" ? value : nil
        case .etco2:
            if unit == "mm[Hg]" || unit == "mmHg" { return value }
            if unit == "kPa" { return value * 7.500_62 }
            return nil
        case .temp:
            if unit == "Cel" || unit == "°C" { return value }
            if unit == "[degF]" { return (value - 32) * 5 / 9 }
            return nil
        }
    }

    static func acceptedUnits(_ vital: Vital) -> String {
        switch vital {
        case .hr, .rr: "/min"
        case .spo2: "%"
        case .sbp, .dbp, .mbp: "mm[Hg]"
        case .etco2: "mm[Hg] or kPa"
        case .temp: "Cel or [degF]"
        }
    }
}
