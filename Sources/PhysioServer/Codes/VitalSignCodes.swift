import PhysioCore

/// Which FHIR Observation codes mean which vital, and the units accepted for
/// each (UCUM), converted to physio's units.
enum VitalSignCodes {
    static let loinc = "http://loinc.org"
    /// ISO/IEEE 11073-10101 nomenclature (MDC), used by device gateways.
    static let mdc = "urn:iso:std:iso:11073:10101"
    static let ucum = "http://unitsofmeasure.org"
    /// The same code systems named by their HL7 OIDs, as CDA and v2 converters write them.
    static let systemOfOID = ["urn:oid:2.16.840.1.113883.6.1": loinc, "urn:oid:2.16.840.1.113883.6.24": mdc]

    enum Meaning: Equatable {
        case vital(Vital)
        /// A panel (blood pressure, vital signs): values are in its components.
        case panel
    }

    static let codes: [String: [String: Meaning]] = [
        loinc: [
            "8867-4": .vital(.hr),        // Heart rate
            "59408-5": .vital(.spo2),     // Oxygen saturation by pulse oximetry
            "2708-6": .vital(.spo2),      // Oxygen saturation in arterial blood
            "2710-2": .vital(.spo2),      // Oxygen saturation in capillary blood by oximetry
            "85353-1": .panel,  // Vital signs, weight, height, head circumference, oxygen saturation and BMI panel
            "85354-9": .panel,  // Blood pressure panel with all children optional
            "55284-4": .panel,  // Blood pressure systolic and diastolic
            "8480-6": .vital(.sbp),       // Systolic blood pressure
            "8462-4": .vital(.dbp),       // Diastolic blood pressure
            "8478-0": .vital(.mbp),       // Mean blood pressure
            "9279-1": .vital(.rr),        // Respiratory rate
            "8310-5": .vital(.temp),      // Body temperature
            "8331-1": .vital(.temp),      // Oral temperature
            "8328-7": .vital(.temp),      // Axillary temperature
            "8332-9": .vital(.temp),      // Rectal temperature
            "8333-7": .vital(.temp),      // Tympanic membrane temperature
            "8329-5": .vital(.temp),      // Body temperature - Core
            "8889-8": .vital(.hr),        // Heart rate by Pulse oximetry
            "19889-5": .vital(.etco2),    // CO2 partial pressure, end-tidal
        ],
        // ISO/IEEE 11073-10101 (MDC): `mdcTerms`.
        mdc: Dictionary(uniqueKeysWithValues: mdcTerms.map { ($0.code, $0.meaning) }),
    ]

    /// The MDC terms physio reads: numeric code (partition × 65536 + term
    /// code), reference id (IEEE 11073-10101's name, which some gateways send
    /// instead of the number) and meaning. Checked against: GE B40/B105/B125
    /// HL7 Reference Manual 2062665-001, PCD-01 examples (147842, 149522,
    /// 150033–35, 150344, 150456, 151562); HL7 Denmark's DK Core ValueSet
    /// IEEEBasicObservation, which lists IEEE's codes (149514, 149522, 149530,
    /// 149546, 150020–23, 150324, 150364, 150368, 150392, 151562–151594,
    /// 1884xx); 150016–19 and 150036–39 follow 10101's pattern of a
    /// pressure's code + 1, 2, 3 for its systolic, diastolic and mean
    /// (150020–23, 150032–35); 150300–03 (MDC_PRESS_CUFF and its parts)
    /// as OpenICE's device drivers and a monitor vendor's ORU^R01 examples send them.
    static let mdcTerms: [(code: String, referenceID: String, meaning: Meaning)] = [
        ("147842", "MDC_ECG_HEART_RATE", .vital(.hr)),
        ("149514", "MDC_PULS_RATE", .vital(.hr)),
        ("149522", "MDC_BLD_PULS_RATE_INV", .vital(.hr)),  // arterial line
        ("149530", "MDC_PULS_OXIM_PULS_RATE", .vital(.hr)),  // pulse rate from the oximeter
        ("149546", "MDC_PULS_RATE_NON_INV", .vital(.hr)),
        ("150456", "MDC_PULS_OXIM_SAT_O2", .vital(.spo2)),
        ("150324", "MDC_SAT_O2_ART", .vital(.spo2)),
        ("150016", "MDC_PRESS_BLD", .panel),  // its components
        ("150017", "MDC_PRESS_BLD_SYS", .vital(.sbp)),
        ("150018", "MDC_PRESS_BLD_DIA", .vital(.dbp)),
        ("150019", "MDC_PRESS_BLD_MEAN", .vital(.mbp)),
        ("150020", "MDC_PRESS_BLD_NONINV", .panel),
        ("150021", "MDC_PRESS_BLD_NONINV_SYS", .vital(.sbp)),
        ("150022", "MDC_PRESS_BLD_NONINV_DIA", .vital(.dbp)),
        ("150023", "MDC_PRESS_BLD_NONINV_MEAN", .vital(.mbp)),
        ("150300", "MDC_PRESS_CUFF", .panel),  // a cuff's NIBP, as many monitors send it
        ("150301", "MDC_PRESS_CUFF_SYS", .vital(.sbp)),
        ("150302", "MDC_PRESS_CUFF_DIA", .vital(.dbp)),
        ("150303", "MDC_PRESS_CUFF_MEAN", .vital(.mbp)),
        ("150033", "MDC_PRESS_BLD_ART_SYS", .vital(.sbp)),
        ("150034", "MDC_PRESS_BLD_ART_DIA", .vital(.dbp)),
        ("150035", "MDC_PRESS_BLD_ART_MEAN", .vital(.mbp)),
        ("150036", "MDC_PRESS_BLD_ART_ABP", .panel),
        ("150037", "MDC_PRESS_BLD_ART_ABP_SYS", .vital(.sbp)),
        ("150038", "MDC_PRESS_BLD_ART_ABP_DIA", .vital(.dbp)),
        ("150039", "MDC_PRESS_BLD_ART_ABP_MEAN", .vital(.mbp)),
        ("151552", "MDC_RESP", .vital(.rr)),  // Philips' HL7 export: its impedance numeric "Resp" (0002-5000)
        ("151562", "MDC_RESP_RATE", .vital(.rr)),
        ("151570", "MDC_AWAY_RESP_RATE", .vital(.rr)),
        ("151578", "MDC_TTHOR_RESP_RATE", .vital(.rr)),  // impedance
        ("151594", "MDC_CO2_RESP_RATE", .vital(.rr)),
        ("150344", "MDC_TEMP", .vital(.temp)),
        ("150364", "MDC_TEMP_BODY", .vital(.temp)),
        ("150368", "MDC_TEMP_CORE", .vital(.temp)),
        ("150392", "MDC_TEMP_TYMP", .vital(.temp)),
        ("188420", "MDC_TEMP_RECT", .vital(.temp)),
        ("188424", "MDC_TEMP_ORAL", .vital(.temp)),
        ("188428", "MDC_TEMP_EAR", .vital(.temp)),
        ("188452", "MDC_TEMP_AXILLA", .vital(.temp)),
        ("151708", "MDC_AWAY_CO2_ET", .vital(.etco2)),
    ]

    private static let mdcCodeByReferenceID = Dictionary(uniqueKeysWithValues: mdcTerms.map { ($0.referenceID, $0.code) })
    private static let mdcReferenceIDByCode = Dictionary(uniqueKeysWithValues: mdcTerms.map { ($0.code, $0.referenceID) })

    static func mdcCode(referenceID: String) -> String? { mdcCodeByReferenceID[referenceID] }

    static func mdcReferenceID(code: String) -> String? { mdcReferenceIDByCode[code] }

    static func meaning(system: String?, code: String?) -> Meaning? {
        guard let system, let code else { return nil }
        return codes[systemOfOID[system] ?? system]?[code]
    }

    /// When one message carries the same vital twice for one instant (a
    /// monitor sends the ECG heart rate and the arterial line's pulse rate),
    /// the higher rank is kept: ECG over a pressure line's pulse over the
    /// oximeter's or the cuff's; invasive pressure over the cuff;
    /// airway-measured respiratory rate over impedance. Equal ranks: the
    /// first one sent.
    /// The rank of a code that says nothing of its source.
    static let ordinaryRank = 2

    static func rank(mdc code: String) -> Int {
        switch code {
        case "147842", "150033", "150034", "150035", "150037", "150038", "150039", "151570", "151594": 3
        case "149522", "150017", "150018", "150019", "151562": 2
        case "149530", "149546", "149514", "150021", "150022", "150023", "150301", "150302", "150303", "151552", "151578": 1
        default: ordinaryRank
        }
    }

    /// The rank of a code of either system (`rank(mdc:)`): LOINC's heart rate
    /// by pulse oximetry (8889-8) ranks below the ECG's as MDC's does; other
    /// LOINC codes rank as ordinary.
    static func rank(system: String?, code: String?) -> Int {
        guard let code else { return ordinaryRank }
        switch system.map({ systemOfOID[$0] ?? $0 }) {
        case mdc: return rank(mdc: code)
        case loinc: return code == "8889-8" ? 1 : ordinaryRank
        default: return ordinaryRank
        }
    }

    /// The value in physio's unit, or nil if `unit` (a UCUM code) is not one
    /// accepted for `vital`. No unit given means physio's own.
    static func convert(_ value: Double, unit sent: String?, for vital: Vital) -> Double? {
        guard let sent else { return value }
        let unit = UCUMAnnotation.removed(from: sent)
        switch vital {
        case .hr, .rr:
            return perMinute.contains(unit) ? value : nil
        case .spo2:
            if unit == "%" { return value }
            // A fraction (UCUM's unity, as some devices and FHIR profiles send it).
            if unit == "1" { return value * 100 }   // also {fraction}, {ratio}
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

    /// Per minute, once annotations are removed (`{beat}/min`, `{breaths}/min`).
    static let perMinute: Set<String> = ["/min", "1/min"]

    static func acceptedUnits(_ vital: Vital) -> String {
        switch vital {
        case .hr, .rr: "/min"
        case .spo2: "% (or 1 for a fraction)"
        case .sbp, .dbp, .mbp, .etco2: "mm[Hg] or kPa"
        case .temp: "Cel, [degF] or K"
        }
    }
}
