import PhysioCore
import PhysioPlatform

/// One change of a case's alarm limits: who set which limits, when, why.
public struct CaseLimitChange: Sendable, Equatable {
    public var limits: CaseLimits
    public let note: String?
    public let actor: String
    public let at: Int64
}

/// A case's limits as the workers read them: those in force, the ones
/// before (the defaults when there were none), and the newest row scored
/// when they changed (nil: none was).
public struct CaseLimitsInForce: Sendable, Equatable {
    public var limits = CaseLimits()
    public var previous = CaseLimits()
    public var scoredThrough: Int64?
}

/// The alarm limits teams set per case (`case_limit_changes`): appended,
/// never updated; the latest change of a case is in force.
public struct CaseLimitStore: Sendable {
    public init() {}

    /// Records `limits` as the case's own (empty: the defaults again), with
    /// the newest row scored so far. Call it holding the case's lock
    /// (`CaseLocks`), as the workers do while they score it. Returns the change as stored.
    @discardableResult
    public func set(caseID: CaseID, limits: CaseLimits, note: String?, by reviewer: Reviewer,
                    on connection: DatabaseConnection) throws -> CaseLimitChange {
        let at = try connection.query("""
            INSERT INTO case_limit_changes (case_id, limits, note, actor, token_id, scored_through)
            VALUES ($1, $2::jsonb, $3, $4, $5, (SELECT max(ts) FROM anomaly_scores WHERE case_id = $1))
            RETURNING \(SQL.micros("at"))
            """, [caseID, Self.json(limits), note, reviewer.name, reviewer.tokenID]).scalar(Int64.self)
        return CaseLimitChange(limits: limits, note: note, actor: reviewer.name, at: at)
    }

    /// Each of `caseIDs` whose limits a team has changed, with its limits in
    /// force (perhaps the defaults again) and the change that made them.
    public func inForce(_ caseIDs: [String], on connection: DatabaseConnection) throws -> [String: CaseLimitsInForce] {
        guard !caseIDs.isEmpty else { return [:] }
        let result = try connection.query(prepared: Self.inForceSQL, [PostgresArray.literal(caseIDs, quoted: true)])
        var cases: [String: CaseLimitsInForce] = [:]
        for row in result.rows {
            let (caseID, rank, scoredThrough, rule, limit) = try row.decode((String, Int64, Int64?, String?, Float?).self)
            var entry = cases[caseID] ?? CaseLimitsInForce()
            if rank == 1 { entry.scoredThrough = scoredThrough }
            if let rule, let limit {
                if rank == 1 { entry.limits.limits[rule] = limit } else { entry.previous.limits[rule] = limit }
            }
            cases[caseID] = entry
        }
        return cases
    }

    static let inForceSQL = """
        SELECT change.case_id, change.rank, \(SQL.micros("change.scored_through")), entry.key, entry.value::real
        FROM (SELECT case_id, limits, scored_through, row_number() OVER (PARTITION BY case_id ORDER BY id DESC) AS rank
              FROM case_limit_changes WHERE case_id = ANY($1::text[])) change
        LEFT JOIN LATERAL jsonb_each_text(change.limits) entry ON true
        WHERE change.rank <= 2
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

    /// When the case's limits changed after `after` (µs): what a live stream has not sent yet.
    public func changeTimes(caseID: CaseID, after: Int64, on connection: DatabaseConnection) throws -> [Int64] {
        try connection.query("""
            SELECT \(SQL.micros("at")) FROM case_limit_changes WHERE case_id = $1 AND at > $2::timestamptz ORDER BY id
            """, [caseID, SQLTime(after)]).rows.map { try $0.decode(Int64.self) }
    }

    /// When the case's limits last changed (µs; 0: never): where a new live stream starts.
    public func latestChange(caseID: CaseID, on connection: DatabaseConnection) throws -> Int64 {
        try connection.query("SELECT coalesce(\(SQL.micros("max(at)")), 0) FROM case_limit_changes WHERE case_id = $1",
                             [caseID]).scalar(Int64.self)
    }

    static func json(_ limits: CaseLimits) -> String {
        var json = JSONWriter()
        limits.write(to: &json)
        return json.string
    }
}
