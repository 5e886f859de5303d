/// Units as monitors write them in HL7 v2 (OBX-6), turned into the UCUM
/// codes VitalSignCodes.convert takes: ISO/IEEE 11073-10101 dimension codes
/// (system MDC; partition 4, so 4 × 65536 + the term code), Philips' MDIL
/// notation of the same codes (`0004-0aa0`: partition and term in hex),
/// UCUM itself, and the plain text some gateways send.
enum DeviceUnits {
    /// Term codes from IEEE 11073-20601 Annex A (MDC_PART_DIM) as public
    /// 20601 agent code reproduces them; 264864, 266016, 262688, 264928 and
    /// 268192 also appear in the GE B40 HL7 Reference Manual's PCD-01 examples.
    static let mdc: [Int: String] = [
        262_144 + 512: "1",         // MDC_DIM_DIMLESS
        262_144 + 544: "%",         // MDC_DIM_PERCENT
        262_144 + 2720: "/min",     // MDC_DIM_BEAT_PER_MIN
        262_144 + 2784: "/min",     // MDC_DIM_RESP_PER_MIN
        262_144 + 3843: "kPa",      // MDC_DIM_KILO_PASCAL
        262_144 + 3872: "mm[Hg]",   // MDC_DIM_MMHG
        262_144 + 4416: "[degF]",   // MDC_DIM_FAHR
        262_144 + 6048: "Cel",      // MDC_DIM_DEGC
    ]

    /// Text units seen in device messages, as UCUM.
    static let aliases: [String: String] = [
        "bpm": "/min", "BPM": "/min", "/min": "/min", "1/min": "/min", "rpm": "/min", "RPM": "/min", "brpm": "/min",
        "breaths/min": "/min", "beats/min": "/min", "min-1": "/min",
        "mmHg": "mm[Hg]", "mm[Hg]": "mm[Hg]", "mm Hg": "mm[Hg]", "kPa": "kPa",
        "%": "%", "percent": "%", "1": "1",
        "Cel": "Cel", "°C": "Cel", "degC": "Cel", "DegC": "Cel", "deg C": "Cel", "C": "Cel",
        "[degF]": "[degF]", "°F": "[degF]", "degF": "[degF]", "DegF": "[degF]", "deg F": "[degF]", "F": "[degF]", "K": "K",
    ]

    /// The MDC code a Philips MDIL identifier stands for: `PPPP-TTTT`,
    /// partition and term code in hex (`0002-4182` is 147842, the ECG heart rate).
    static func mdil(_ text: String) -> Int? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count <= 4, parts[1].count <= 4,
              let partition = Int(parts[0], radix: 16), let term = Int(parts[1], radix: 16) else { return nil }
        return partition << 16 | term
    }

    enum Resolution: Equatable {
        /// No unit: physio's own.
        case none
        case ucum(String)
        /// Not a unit physio knows; the text to name it by.
        case unknown(String)
    }

    /// OBX-6 (CE/CWE): code, text and coding system; an alternate code in
    /// components 4–6 is tried when the first is not known.
    /// No unit at all is physio's own; a unit written only as the alternate
    /// (`^^^kPa^kPa^UCUM`) is that unit, never none.
    static func resolve(code: String, text: String, system: String, alternate: (code: String, text: String, system: String)) -> Resolution {
        let hasAlternate = !alternate.code.isEmpty || !alternate.text.isEmpty
        if code.isEmpty && text.isEmpty && !hasAlternate { return .none }
        if !(code.isEmpty && text.isEmpty), let known = lookup(code: code, text: text, system: system) { return .ucum(known) }
        if hasAlternate, let known = lookup(code: alternate.code, text: alternate.text, system: alternate.system) { return .ucum(known) }
        if code.isEmpty && text.isEmpty { return .unknown(alternate.code.isEmpty ? alternate.text : alternate.code) }
        return .unknown(code.isEmpty ? text : system.isEmpty ? code : "\(code)^\(text)^\(system)")
    }

    private static func lookup(code: String, text: String, system: String) -> String? {
        switch system.uppercased() {
        case "MDC", "ISO+", "ISO11073":
            if let number = Int(code), let unit = mdc[number] { return unit }
        case "MDIL":
            if let number = mdil(code), let unit = mdc[number] { return unit }
        default:
            break
        }
        if let unit = aliases[UCUMAnnotation.removed(from: code)] { return unit }
        if code.isEmpty, let unit = aliases[UCUMAnnotation.removed(from: text)] { return unit }
        return nil
    }
}
