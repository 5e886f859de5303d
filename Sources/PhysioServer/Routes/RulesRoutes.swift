import PhysioCore
import PhysioHTTP
import PhysioPlatform

/// `GET /rules`: the clinical threshold rules episodes name and the
/// plausible range of each vital outside which the detector treats a value
/// as an artefact (below it, for HR, SpO2 and RR, only until it has lasted
/// `sustained_seconds`; for pressures from `sustained_from` up, once
/// hypotension has lasted `sustained_seconds`), as the server applies them, so the dashboard draws
/// its threshold lines and leaves out artefacts by the same numbers.
struct RulesRoutes {
    var routes: [Route] {
        [Route("GET", "/rules", scope: "read") { _ in .now(Self.answer) }]
    }

    /// The defaults are constants: the answer is built once.
    static let answer = Response.json(body(rules: .standard, filter: .standard))

    static func body(rules: ClinicalRules, filter: ArtefactFilter) -> JSONWriter {
        var json = JSONWriter(capacity: 2048)
        json.beginObject()
        json.key("rules")
        json.beginArray()
        for rule in rules.rules {
            json.beginObject()
            json.field("id", rule.id)
            json.field("vital", rule.vital.name)
            json.field("comparison", rule.comparison.rawValue)
            json.key("limit")
            json.value(rule.limit)
            json.field("source", rule.source)
            json.endObject()
        }
        json.endArray()
        json.key("plausible")
        json.beginObject()
        for vital in Vital.allCases {
            let range = filter.range(of: vital)
            json.key(vital.name)
            json.beginObject()
            json.key("min")
            json.value(range.lowerBound)
            json.key("max")
            json.value(range.upperBound)
            if filter.sustainedExtreme.vitals.contains(vital) {
                json.key("sustained_seconds")
                json.value(filter.sustainedExtreme.seconds)
                if filter.sustainedExtreme.above.contains(vital) {
                    json.key("sustained_above")
                    json.value(true)
                }
            } else if [.sbp, .dbp, .mbp].contains(vital) {
                json.key("sustained_seconds")
                json.value(filter.profoundHypotension.seconds)
                json.key("sustained_from")
                json.value(filter.profoundHypotension.floor)
            }
            json.endObject()
        }
        json.endObject()
        json.endObject()
        return json
    }
}
