import PhysioHTTP
import PhysioPlatform

/// When an Observation was measured, from its `effective[x]`:
/// `effectiveDateTime` or `effectiveInstant`, or the `start` of an
/// `effectivePeriod` (when the measurement began; its `end` when it has no
/// start). A vital sign is stored at an instant, so a date, a month or a
/// time without a zone is refused, as is `effectiveTiming`. Rounded to the
/// microsecond like every time (Timestamp).
enum EffectiveTime {
    struct Refusal: Error {
        let code: String
        let detail: String
        /// FHIRPath below the resource.
        let field: String
    }

    static func read(_ resource: JSONValue) -> Result<Int64, Refusal> {
        if let value = resource["effectiveDateTime"] { return instant(value, field: "effectiveDateTime") }
        if let value = resource["effectiveInstant"] { return instant(value, field: "effectiveInstant") }
        if let period = resource["effectivePeriod"] {
            guard period.kind == .object else { return .failure(.init(code: "structure", detail: "effectivePeriod must be an object", field: "effectivePeriod")) }
            if let start = period["start"] { return instant(start, field: "effectivePeriod.start") }
            if let end = period["end"] { return instant(end, field: "effectivePeriod.end") }
            return .failure(.init(code: "required", detail: "effectivePeriod has neither start nor end", field: "effectivePeriod"))
        }
        if resource["effectiveTiming"] != nil {
            return .failure(.init(code: "not-supported", detail: "effectiveTiming is not taken: a vital sign is stored at one instant; send effectiveDateTime", field: "effectiveTiming"))
        }
        return .failure(.init(code: "required", detail: "the Observation has no effective[x]: a vital sign needs the time it was measured (effectiveDateTime)", field: "effectiveDateTime"))
    }

    private static func instant(_ value: JSONValue, field: String) -> Result<Int64, Refusal> {
        guard let text = value.string else { return .failure(.init(code: "structure", detail: "\(field) must be a string", field: field)) }
        let shown = "'\(text.prefix(40))'"
        if let time = Timestamp.parseRFC3339(text) {
            guard Timestamp.validRange.contains(time) else {
                return .failure(.init(code: "value", detail: "\(field) \(shown) is outside 1970–2199", field: field))
            }
            return .success(time)
        }
        // FHIR dateTime allows a year, a month or a date alone: not an instant.
        let bytes = Array(text.utf8)
        if [4, 7, 10].contains(bytes.count), bytes.allSatisfy({ $0 == 0x2D || (0x30...0x39).contains($0) }) {
            return .failure(.init(code: "value", detail:
                "\(field) \(shown) is a date without a time of day; a vital sign is stored at the instant it was measured: send a date-time with seconds and a zone, such as 2026-11-24T10:00:00Z", field: field))
        }
        if bytes.count == 19 || (bytes.count > 20 && bytes[19] == 0x2E && !text.contains("Z") && !text.contains("z") && !text.dropFirst(19).contains("+") && !text.dropFirst(19).contains("-")) {
            return .failure(.init(code: "value", detail: "\(field) \(shown) has no time zone (FHIR requires one with a time): add Z or an offset such as +01:00", field: field))
        }
        return .failure(.init(code: "value", detail: "\(field) \(shown) is not a FHIR date-time such as 2026-11-24T10:00:00Z", field: field))
    }
}
