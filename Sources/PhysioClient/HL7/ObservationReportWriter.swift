import PhysioCore
import PhysioPlatform

/// Writes one instant's vitals as an HL7 v2.6 ORU^R01 in IHE PCD-01's
/// shape, as a monitor's gateway sends it: the case in PV1-19 (physio's
/// default case rule), the time in OBR-7 and each OBX-14 with its offset,
/// MDC codes and units (docs/hl7.md's table). Segments end with CR.
public enum ObservationReportWriter {
    /// OBX-3 and OBX-6 per vital: the arterial line for pressures, the
    /// ECG for the heart rate.
    static func coding(_ vital: Vital) -> (code: String, unit: String) {
        switch vital {
        case .hr: ("147842^MDC_ECG_HEART_RATE^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC")
        case .sbp: ("150033^MDC_PRESS_BLD_ART_SYS^MDC", "266016^MDC_DIM_MMHG^MDC")
        case .dbp: ("150034^MDC_PRESS_BLD_ART_DIA^MDC", "266016^MDC_DIM_MMHG^MDC")
        case .mbp: ("150035^MDC_PRESS_BLD_ART_MEAN^MDC", "266016^MDC_DIM_MMHG^MDC")
        case .spo2: ("150456^MDC_PULS_OXIM_SAT_O2^MDC", "262688^MDC_DIM_PERCENT^MDC")
        case .rr: ("151562^MDC_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC")
        case .etco2: ("151708^MDC_AWAY_CO2_ET^MDC", "266016^MDC_DIM_MMHG^MDC")
        case .temp: ("150344^MDC_TEMP^MDC", "268192^MDC_DIM_DEGC^MDC")
        }
    }

    /// One instant. `sender`: MSH-3 (a resend is known by sender and control
    /// id). `caseID` must be a valid case id (it holds no HL7 delimiter).
    public static func message(sender: String, controlID: String, caseID: String, micros: Int64,
                               values: [(Vital, Float)]) -> [UInt8] {
        message(sender: sender, controlID: controlID, caseID: caseID, instants: [(micros, values)])
    }

    /// Several instants, an OBR (OBR-7 its time) and its OBXs each, as a
    /// gateway batches a monitor's last seconds.
    public static func message(sender: String, controlID: String, caseID: String,
                               instants: [(micros: Int64, values: [(Vital, Float)])]) -> [UInt8] {
        let header = dateTime(instants.first?.micros ?? 0)
        var text = "MSH|^~\\&|\(sender)||physio||\(header)||ORU^R01^ORU_R01|\(controlID)|P|2.6|||NE|AL\r"
        text += "PID|||\(caseID)\r"
        text += "PV1||I|||||||||||||||||\(caseID)\r"
        var number = 0
        for (index, instant) in instants.enumerated() {
            let time = dateTime(instant.micros)
            text += "OBR|\(index + 1)|||182777000^monitoring of patient^SCT|||\(time)\r"
            for (vital, value) in instant.values {
                number += 1
                let coding = coding(vital)
                text += "OBX|\(number)|NM|\(coding.code)|1.0.0.\(vital.rawValue + 1)|\(format(value))|\(coding.unit)|||||R|||\(time)\r"
            }
        }
        return Array(text.utf8)
    }

    /// HL7 DTM to the microsecond, in UTC: YYYYMMDDHHMMSS.ffffff+0000.
    public static func dateTime(_ micros: Int64) -> String {
        let digits = Timestamp.format(micros, fixedMicros: true).filter(\.isNumber)  // 20261124100000123456
        return String(digits.prefix(14)) + "." + String(digits.dropFirst(14).prefix(6)) + "+0000"
    }

    public static func format(_ value: Float) -> String {
        value == value.rounded() && abs(value) < 1e7 ? String(Int(value)) : String(value)
    }
}
