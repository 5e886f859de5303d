import PhysioCore
import PhysioHTTP
import PhysioPlatform
import PhysioStore

/// A case's own alarm limits (`CaseLimits`), as a team sets them on the
/// monitor: `GET /cases/{case_id}/limits` (scope read) lists the rules in
/// force with their defaults and every change; `PUT` (scope review) sets
/// them, `{"limits": {"mbp_lt_65": 50}, "note": "planned hypotension"}`,
/// replacing the case's earlier ones (`{"limits": {}}`: the defaults). The
/// workers score with them from the next job; stored scores and episodes
/// stand.
struct CaseLimitRoutes {
    let pool: ConnectionPool
    let knownCases: KnownCases

    static let path = "/cases/{case_id}/limits"

    var routes: [Route] {
        [
            Route("GET", Self.path, scope: "read") { request in .now(try read(request)) },
            Route("PUT", Self.path, scope: "review") { request in .now(try set(request)) },
        ]
    }

    func read(_ request: Request) throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        return try pool.withConnection { connection in
            let caseID = try knownCases.existingCaseID(request, on: connection)
            return Self.answer(caseID, try CaseLimitStore().changes(caseID: caseID, on: connection))
        }
    }

    /// Idempotent: limits equal to those in force are not recorded again.
    func set(_ request: Request) throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let body = try Self.body(request)
        let reviewer = Reviewer(name: request.principal ?? "unknown", tokenID: request.tokenID)
        return try pool.withConnection { connection in
            let caseID = try knownCases.existingCaseID(request, on: connection)
            return try connection.transaction {
                // One change at a time per case, so "equal to those in force" is read under the lock.
                try CaseLocks.lock([caseID.rawValue], on: connection)
                var changes = try CaseLimitStore().changes(caseID: caseID, on: connection)
                if (changes.last?.limits ?? CaseLimits()) != body.limits {
                    changes.append(try CaseLimitStore().set(caseID: caseID, limits: body.limits, note: body.note, by: reviewer, on: connection))
                    // Open dashboards of the case hear of it on commit (a `limits` event), on any node.
                    try CaseEvents.notify(.reviews, caseIDs: [caseID.rawValue], on: connection)
                    Log.info("case limits set", ["case_id": .string(caseID.rawValue), "by": .string(reviewer.name),
                                                 "limits": .string(body.limits.limits.keys.sorted().map { "\($0)=\(body.limits.limits[$0]!)" }
                                                    .joined(separator: ","))])
                }
                return Self.answer(caseID, changes)
            }
        }
    }

    /// The body: `limits` (required, an object of default rule id → number)
    /// and `note` (optional). Every error is named by its pointer (422).
    static func body(_ request: Request) throws -> (limits: CaseLimits, note: String?) {
        let value = try AnnotationBody.object(request, required: true)!
        var errors: [Problem.FieldError] = []
        var limits: CaseLimits?
        var note: String?
        value.value.forEachMember { keyBytes, member in
            let key = String(decoding: keyBytes, as: UTF8.self)
            switch key {
            case "limits":
                guard member.kind == .object else {
                    errors.append(AnnotationBody.error("/limits", "limits must be an object of rule id to limit, e.g. {\"mbp_lt_65\": 50}", field: key))
                    return
                }
                var read = CaseLimits()
                member.forEachMember { ruleBytes, limit in
                    let rule = String(decoding: ruleBytes, as: UTF8.self)
                    if let refusal = CaseLimits.refusal(rule: rule, limit: limit.number ?? .nan) {
                        errors.append(AnnotationBody.error("/limits/" + AnnotationBody.pointerEscaped(rule), refusal, field: key))
                    } else {
                        read.limits[rule] = Float(limit.number!)
                    }
                }
                limits = read
            case "note":
                note = AnnotationBody.note(member, errors: &errors)
            default:
                errors.append(AnnotationBody.error("/" + AnnotationBody.pointerEscaped(key), "unknown field '\(key.prefix(64))'; expected limits, note",
                                                   field: key))
            }
        }
        if limits == nil && !errors.contains(where: { $0.pointer == "/limits" }) {
            errors.insert(AnnotationBody.error("/limits", "limits is required: {} for the defaults, or e.g. {\"mbp_lt_65\": 50}", field: "limits"),
                          at: 0)
        }
        guard errors.isEmpty, let limits else { throw Problem.unprocessable(Array(errors.prefix(AnnotationBody.maxErrors))) }
        return (limits, note)
    }

    static func answer(_ caseID: CaseID, _ changes: [CaseLimitChange]) -> Response {
        var json = JSONWriter(capacity: 2048 + 256 * changes.count)
        write(caseID, changes, to: &json)
        return .json(json)
    }

    /// The answer of GET, and the data of a live stream's `limits` event.
    static func write(_ caseID: CaseID, _ changes: [CaseLimitChange], to json: inout JSONWriter) {
        let limits = changes.last?.limits ?? CaseLimits()
        json.beginObject()
        json.field("case_id", caseID.rawValue)
        json.key("rules")
        json.beginArray()
        for (rule, applied) in zip(ClinicalRules.standard.rules, limits.applied(to: .standard).rules) {
            let allowed = CaseLimits.allowedRanges[rule.id]!
            json.beginObject()
            json.field("id", applied.id)
            json.field("default_id", rule.id)
            json.field("vital", rule.vital.name)
            json.field("comparison", rule.comparison.rawValue)
            json.key("limit")
            json.value(applied.limit)
            json.key("default_limit")
            json.value(rule.limit)
            json.key("allowed")
            json.beginObject()
            json.key("min")
            json.value(allowed.lowerBound)
            json.key("max")
            json.value(allowed.upperBound)
            json.endObject()
            json.endObject()
        }
        json.endArray()
        json.key("changes")
        json.beginArray()
        for change in changes {
            json.beginObject()
            json.key("limits")
            change.limits.write(to: &json)
            json.field("note", change.note)
            json.field("by", change.actor)
            json.field("at", Timestamp.format(change.at))
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }
}
