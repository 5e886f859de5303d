import PhysioCore

/// Which FHIR Observation codes mean which vital, and the units accepted for
/// each (UCUM), converted to physio's units.
enum VitalSignCodes {
    static let loinc = "http://loinc.org"
    /// ISO/IEEE 11073-10101 nomenclature (MDC), used by device gateways.
    static let mdc = "urn:iso:std:iso:11073:10101"
    static let ucum = "http://unitsofmeasure.org"

    enum Meaning: Equatable {
        case vital(Vital)
        /// A blood-pressure panel: values are in its components.
        case bloodPressurePanel
    }

    static let codes: [String: [String: Meaning]] = [
        loinc: [
            "8867-4": .vital(.hr),        // Heart rate
            "59408-5": .vital(.spo2),     // Oxygen saturation by pulse oximetry
            "2708-6": .vital(.spo2),      // Oxygen saturation in arterial blood
            "85354-9": .bloodPressurePanel,  // Blood pressure panel with all children optional
            "55284-4": .bloodPressurePanel,  // Blood pressure systolic and diastolic
            "8480-6": .vital(.sbp),       // Systolic blood pressure
            "8462-4": .vital(.dbp),       // Diastolic blood pressure
            "8478-0": .vital(.mbp),       // Mean blood pressure
            "9279-1": .vital(.rr),        // Respiratory rate
            "8310-5": .vital(.temp),      // Body temperature
            "19889-5": .vital(.etco2),    // CO2 partial pressure, end-tidal
        ],
        mdc: [
            "147842": .vital(.hr),        // MDC_ECG_HEART_RATE
            "149530": .vital(.hr),        // MDC_PULS_OXIM_PULS_RATE (pulse rate from the oximeter)
            "150456": .vital(.spo2),      // MDC_PULS_OXIM_SAT_O2
            "150016": .bloodPressurePanel,   // MDC_PRESS_BLD (its components)
            "150017": .vital(.sbp),       // MDC_PRESS_BLD_SYS
            "150018": .vital(.dbp),       // MDC_PRESS_BLD_DIA
            "150019": .vital(.mbp),       // MDC_PRESS_BLD_MEAN
            "150020": .bloodPressurePanel,   // MDC_PRESS_BLD_NONINV
            "150021": .vital(.sbp),       // MDC_PRESS_BLD_NONINV_SYS
            "150022": .vital(.dbp),       // MDC_PRESS_BLD_NONINV_DIA
            "150023": .vital(.mbp),       // MDC_PRESS_BLD_NONINV_MEAN
            "150033": .vital(.sbp),       // MDC_PRESS_BLD_ART_SYS
            "150034": .vital(.dbp),       // MDC_PRESS_BLD_ART_DIA
            "150035": .vital(.mbp),       // MDC_PRESS_BLD_ART_MEAN
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
            return perMinute.contains(unit) ? value : nil
        case .spo2:
            if unit == "%" { return value }
            // A fraction (UCUM's unity, as some devices and FHIR profiles send it).
            if unit == "1" || unit == "{fraction}" || unit == "{ratio}" { return value * 100 }
            return nil
        case .sbp, .dbp, .mbp, .etco2:
            if unit == "mm[Hg]" || unit == "mmHg" { return value }
            if unit == "kPa" { return value * mmHgPerKilopascal }
            return nil
        case .temp:
            if unit == "Cel" || unit == "°C" { return value }
            if unit == "[degF]" { return (value - 32) * 5 / 9 }
            if unit == "K" { return value - 273.15 }
            return nil
        }
    }

    /// 1 kPa = 1000 Pa / 133.322387415 Pa (the conventional millimetre of mercury).
    static let mmHgPerKilopascal = 1000 / 133.322_387_415

    static let perMinute: Set<String> = ["/min", "1/min", "{beats}/min", "{Beats}/min", "{beat}/min", "{breaths}/min", "{Breaths}/min", "{breath}/min"]

    static func acceptedUnits(_ vital: Vital) -> String {
        switch vital {
        case .hr, .rr: "/min"
        case .spo2: "% (or 1 for a fraction)"
        case .sbp, .dbp, .mbp, .etco2: "mm[Hg] or kPa"
        case .temp: "Cel, [degF] or K"
        }
    }
}
