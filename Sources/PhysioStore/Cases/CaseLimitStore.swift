import PhysioCore
import PhysioPlatform

/// One change of a case's alarm limits: who set which limits, when, why.
public struct CaseLimitChange: Sendable, Equatable {
    public var limits: CaseLimits
    public let note: String?
    public let actor: String
    public let at: Int64
}

/// The alarm limits teams set per case (`case_limit_changes`): appended,
/// never updated; the latest change of a case is in force.
public struct CaseLimitStore: Sendable {
    public init() {}

    /// Records `limits` as the case's own (empty: the defaults again).
    /// Returns the change as stored.
    @discardableResult
    public func set(caseID: CaseID, limits: CaseLimits, note: String?, by reviewer: Reviewer,
                    on connection: DatabaseConnection) throws -> CaseLimitChange {
        let at = try connection.query("""
            INSERT INTO case_limit_changes (case_id, limits, note, actor, token_id) VALUES ($1, $2::jsonb, $3, $4, $5)
            RETURNING \(SQL.micros("at"))
            """, [caseID, Self.json(limits), note, reviewer.name, reviewer.tokenID]).scalar(Int64.self)
        return CaseLimitChange(limits: limits, note: note, actor: reviewer.name, at: at)
    }

    /// The limits in force for each of `caseIDs` that has any (a case whose
    /// latest change restored the defaults is left out).
    public func current(_ caseIDs: [String], on connection: DatabaseConnection) throws -> [String: CaseLimits] {
        guard !caseIDs.isEmpty else { return [:] }
        let result = try connection.query(prepared: Self.currentSQL, [PostgresArray.literal(caseIDs, quoted: true)])
        var limits: [String: CaseLimits] = [:]
        for row in result.rows {
            let (caseID, rule, limit) = try row.decode((String, String, Float).self)
            limits[caseID, default: CaseLimits()].limits[rule] = limit
        }
        return limits
    }

    static let currentSQL = """
        SELECT latest.case_id, entry.key, entry.value::real
        FROM (SELECT DISTINCT ON (case_id) case_id, limits FROM case_limit_changes
              WHERE case_id = ANY($1::text[]) ORDER BY case_id, id DESC) latest
        CROSS JOIN LATERAL jsonb_each_text(latest.limits) entry
        """

    /// Every change of a case's limits, oldest first.
    public func changes(caseID: CaseID, on connection: DatabaseConnection) throws -> [CaseLimitChange] {
        let result = try connection.query("""
            SELECT change.id, change.note, change.actor, \(SQL.micros("change.at")), entry.key, entry.value::real
            FROM case_limit_changes change LEFT JOIN LATERAL jsonb_each_text(change.limits) entry ON true
            WHERE change.case_id = $1 ORDER BY change.id
            """, [caseID])
        var changes: [(id: Int64, change: CaseLimitChange)] = []
        for row in result.rows {
            let (id, note, actor, at, rule, limit) = try row.decode((Int64, String?, String, Int64, String?, Float?).self)
            if changes.last?.id != id { changes.append((id, CaseLimitChange(limits: CaseLimits(), note: note, actor: actor, at: at))) }
            if let rule, let limit { changes[changes.count - 1].change.limits.limits[rule] = limit }
        }
        return changes.map(\.change)
    }

    static func json(_ limits: CaseLimits) -> String {
        var json = JSONWriter()
        limits.write(to: &json)
        return json.string
    }
}
