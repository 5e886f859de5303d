/// ORU^R01 messages for tests, built segment by segment (fields by number).
enum HL7Messages {
    static func segment(_ id: String, _ fields: [Int: String]) -> String {
        let count = fields.keys.max() ?? 0
        return ([id] + (1...max(1, count)).map { fields[$0] ?? "" }).joined(separator: "|")
    }

    static func header(id: String, version: String = "2.6", time: String = "20261124100000+0000", type: String = "ORU^R01^ORU_R01",
                       extra: [Int: String] = [:]) -> String {
        // MSH's fields count from the separator: field n is at index n-1 here.
        var fields: [Int: String] = [2: "MONITOR^0800190000000001^EUI-64", 3: "OR", 4: "physio", 6: time, 8: type, 9: id, 10: "P", 11: version]
        for (number, value) in extra { fields[number - 1] = value }
        return "MSH|^~\\&|" + (2...fields.keys.max()!).map { fields[$0] ?? "" }.joined(separator: "|")
    }

    static func obx(_ number: Int, _ code: String, _ value: String, _ unit: String, status: String = "R", time: String = "",
                    type: String = "NM", subID: String = "") -> String {
        segment("OBX", [1: String(number), 2: type, 3: code, 4: subID, 5: value, 6: unit, 11: status, 14: time,
                        18: "0800190000000001^MONITOR"])
    }

    static let hr = "147842^MDC_ECG_HEART_RATE^MDC"
    static let spo2 = "150456^MDC_PULS_OXIM_SAT_O2^MDC"
    static let nibpSys = "150021^MDC_PRESS_BLD_NONINV_SYS^MDC"
    static let nibpDia = "150022^MDC_PRESS_BLD_NONINV_DIA^MDC"
    static let artSys = "150037^MDC_PRESS_BLD_ART_ABP_SYS^MDC"
    static let temp = "150344^MDC_TEMP^MDC"
    static let bpm = "264864^MDC_DIM_BEAT_PER_MIN^MDC"
    static let percent = "262688^MDC_DIM_PERCENT^MDC"
    static let mmHg = "266016^MDC_DIM_MMHG^MDC"
    static let kPa = "265987^MDC_DIM_KILO_PASCAL^MDC"
    static let celsius = "268192^MDC_DIM_DEGC^MDC"
    static let fahrenheit = "266560^MDC_DIM_FAHR^MDC"

    /// A whole message: MSH, PID, PV1 (visit `visit`, bed OR3), OBR at `time`, the OBXs.
    static func oru(id: String, visit: String = "op-1", time: String = "20261124100000+0000", observations: [String],
                    version: String = "2.6", headerTime: String = "20261124100000+0000", headerExtra: [Int: String] = [:]) -> String {
        ([header(id: id, version: version, time: headerTime, extra: headerExtra),
          segment("PID", [3: "MRN-77^^^HOSP^MR", 5: "DOE^JANE"]),
          segment("PV1", [2: "I", 3: "OR3^^2", 19: visit]),
          segment("OBR", [1: "1", 4: "182777000^monitoring of patient^SCT", 7: time])] + observations).joined(separator: "\r")
    }
}
