/// UCUM's annotations: text in curly braces that "has no effect on the
/// semantics of the unit" (The Unified Code for Units of Measure, §6), so
/// `{beat}/min` is `/min` and `{fraction}` alone is the unity `1`. Devices and
/// gateways annotate freely (the NIST PCD test tool's gateway sends
/// `{beat}/min`); every interface reads a unit without them.
enum UCUMAnnotation {
    /// `unit` with its annotations removed; an annotation alone is `1`. A
    /// brace left open is returned as sent (not a UCUM unit).
    static func removed(from unit: String) -> String {
        guard unit.contains("{") || unit.contains("}") else { return unit }
        var kept = ""
        var inside = false
        for character in unit {
            switch character {
            case "{":
                guard !inside else { return unit }
                inside = true
            case "}":
                guard inside else { return unit }
                inside = false
            default:
                if !inside { kept.append(character) }
            }
        }
        guard !inside else { return unit }
        return kept.isEmpty ? "1" : kept
    }
}
