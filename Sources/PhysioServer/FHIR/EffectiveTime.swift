import PhysioHTTP
import PhysioPlatform

/// When an Observation was measured, from its `effective[x]`:
/// `effectiveDateTime` or `effectiveInstant`, or the `start` of an
/// `effectivePeriod` (when the measurement began; its `end` when it has no
/// start). A vital sign is stored at an instant, so a date, a month or a
/// time without a zone is refused, as is `effectiveTiming`. effective[x] is
/// a choice: two of them at once are refused rather than one picked, as is
/// a period that ends before it starts or an offset past FHIR's ±14:00.
/// Rounded to the microsecond like every time (Timestamp).
enum EffectiveTime {
    struct Refusal: Error {
        let code: String
        let detail: String
        /// FHIRPaths below the resource: two when two fields disagree.
        let fields: [String]

        init(code: String, detail: String, field: String) {
            self.init(code: code, detail: detail, fields: [field])
        }

        init(code: String, detail: String, fields: [String]) {
            self.code = code
            self.detail = detail
            self.fields = fields
        }
    }

    static let choices = ["effectiveDateTime", "effectiveInstant", "effectivePeriod", "effectiveTiming"]

    static func read(_ resource: JSONValue) -> Result<Int64, Refusal> {
        let present = choices.filter { resource[$0] != nil }
        guard present.count <= 1 else {
            return .failure(.init(code: "structure", detail:
                "effective[x] is a choice of one, and \(present.joined(separator: " and ")) are both present: send the time once", fields: present))
        }
        if let value = resource["effectiveDateTime"] { return instant(value, field: "effectiveDateTime") }
        if let value = resource["effectiveInstant"] { return instant(value, field: "effectiveInstant") }
        if let period = resource["effectivePeriod"] { return start(of: period) }
        if resource["effectiveTiming"] != nil {
            return .failure(.init(code: "not-supported", detail: "effectiveTiming is not taken: a vital sign is stored at one instant; send effectiveDateTime", field: "effectiveTiming"))
        }
        return .failure(.init(code: "required", detail: "the Observation has no effective[x]: a vital sign needs the time it was measured (effectiveDateTime)", field: "effectiveDateTime"))
    }

    /// The start, or the end when there is no start; both are read, so a
    /// bad end or one before the start is refused, not passed over.
    private static func start(of period: JSONValue) -> Result<Int64, Refusal> {
        guard period.kind == .object else { return .failure(.init(code: "structure", detail: "effectivePeriod must be an object", field: "effectivePeriod")) }
        let start = period["start"].map { instant($0, field: "effectivePeriod.start") }
        let end = period["end"].map { instant($0, field: "effectivePeriod.end") }
        switch (start, end) {
        case (nil, nil):
            return .failure(.init(code: "required", detail: "effectivePeriod has neither start nor end", field: "effectivePeriod"))
        case (.success(let from)?, .success(let to)?) where to < from:
            return .failure(.init(code: "value", detail:
                "effectivePeriod.end \(Timestamp.format(to)) is before its start \(Timestamp.format(from))", field: "effectivePeriod.end"))
        case (.failure(let refusal)?, _), (_, .failure(let refusal)?):
            return .failure(refusal)
        case (let start?, _):
            return start
        case (nil, let end?):
            return end
        }
    }

    private static func instant(_ value: JSONValue, field: String) -> Result<Int64, Refusal> {
        guard let text = value.string else { return .failure(.init(code: "structure", detail: "\(field) must be a string", field: field)) }
        let shown = "'\(text.prefix(40))'"
        if let time = Timestamp.parseRFC3339(text) {
            guard Timestamp.validRange.contains(time) else {
                return .failure(.init(code: "value", detail: "\(field) \(shown) is outside 1970–2199", field: field))
            }
            // RFC 3339 takes offsets to ±23:59; FHIR's dateTime and instant to ±14:00.
            let offset = text.utf8.last.map { $0 == UInt8(ascii: "Z") || $0 == UInt8(ascii: "z") } == true ? "" : String(text.suffix(6))
            guard offset.isEmpty || offset.dropFirst() <= "14:00" else {
                return .failure(.init(code: "value", detail: "\(field) \(shown) has offset \(offset); FHIR's offsets run from -14:00 to +14:00", field: field))
            }
            if let refusal = ClockAhead.refusal(time) { return .failure(.init(code: "value", detail: "\(field) \(refusal)", field: field)) }
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
