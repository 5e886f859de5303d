import PhysioCore
import PhysioPlatform

/// Where episode rows went when the workers' merge deleted them. A later
/// job can bridge two episodes or back-date one (a sample before its start
/// arrives late, or the safety floor dates a breach from its first sample);
/// the merged episode then lives in one row, possibly a new one, and the
/// others are deleted. Each deleted row is recorded with the row whose span
/// took it in, in the merge's transaction (`episode_merges`, append-only),
/// so reviews of the deleted row follow it: an episode's reviews are those
/// taken on it and on every row it absorbed, however many merges ago.
public enum EpisodeLineage {
    /// An episode row the merge deleted, with the span it had.
    struct Absorbed {
        let id: Int64
        let caseID: String
        let start: Int64
        let end: Int64
    }

    /// Records each deleted row against the episode that now covers its
    /// start. Call after the merge's upserts, in its transaction. A row no
    /// episode covers (nothing in physio deletes one that way) is not
    /// recorded: its reviews keep the span they were taken on.
    static func record(_ absorbed: [Absorbed], on connection: DatabaseConnection) throws {
        guard !absorbed.isEmpty else { return }
        try connection.query("""
            INSERT INTO episode_merges (absorbed_id, survivor_id, case_id, absorbed_start, absorbed_end)
            SELECT d.id, s.id, d.case_id, d.started_at, d.ended_at
            FROM unnest($1::int8[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS d(id, case_id, started_at, ended_at)
            CROSS JOIN LATERAL (SELECT e.id FROM anomaly_episodes e
                                WHERE e.case_id = d.case_id AND e.started_at <= d.started_at AND e.ended_at >= d.started_at
                                ORDER BY e.started_at DESC LIMIT 1) s
            """, [PostgresArray.literal(absorbed.map { String($0.id) }),
                  PostgresArray.literal(absorbed.map(\.caseID), quoted: true),
                  PostgresArray.times(absorbed.map(\.start)),
                  PostgresArray.times(absorbed.map(\.end))])
    }

    /// A recursive query naming, for each review action that `actionFilter`
    /// selects (a condition on `review_actions`), the episode row it belongs
    /// to now (`current(action_id, episode_id)`) and every merge on the way
    /// (`chain(action_id, episode_id, merge_id, depth)`, `merge_id` the
    /// absorbed row of that step). Chains are short: one step per merge.
    static func chains(actionFilter: String) -> String {
        """
        RECURSIVE chain(action_id, episode_id, merge_id, depth) AS (
            SELECT id, episode_id, NULL::bigint, 0 FROM review_actions WHERE \(actionFilter)
            UNION ALL
            SELECT c.action_id, m.survivor_id, m.absorbed_id, c.depth + 1
            FROM chain c JOIN episode_merges m ON m.absorbed_id = c.episode_id
            WHERE c.depth < 10000
        ), current AS (
            SELECT DISTINCT ON (action_id) action_id, episode_id FROM chain ORDER BY action_id, depth DESC
        )
        """
    }

    /// The row that holds episode `episodeID` of `caseID` now: itself while
    /// it exists, else the row that absorbed it (repeatedly). With `lock`,
    /// locked `FOR UPDATE` until the transaction ends, so no merge moves it
    /// meanwhile. nil when there is no such episode.
    public static func current(caseID: CaseID, episodeID: Int64, lock: Bool = false,
                               on connection: DatabaseConnection) throws -> EpisodeRecord? {
        var id = episodeID
        for _ in 0..<10_000 {
            let result = try connection.query("""
                SELECT \(EpisodeStore.recordColumns) FROM anomaly_episodes WHERE id = $1 AND case_id = $2\(lock ? " FOR UPDATE" : "")
                """, [id, caseID])
            if let row = result.rows.first { return try EpisodeStore.record(row) }
            // Deleted, perhaps by a merge that committed while this waited for the lock.
            guard let survivor = try connection.query(
                "SELECT survivor_id FROM episode_merges WHERE absorbed_id = $1 AND case_id = $2", [id, caseID]
            ).single((Int64).self) else { return nil }
            id = survivor
        }
        return nil
    }

    /// The case's merges recorded after `after` (µs), oldest first: each
    /// deleted row, the row that took it in, and when.
    public static func merges(caseID: CaseID, after: Int64, limit: Int = 200,
                              on connection: DatabaseConnection) throws -> [(absorbed: Int64, survivor: Int64, at: Int64)] {
        try connection.query("""
            SELECT absorbed_id, survivor_id, \(SQL.micros("at")) FROM episode_merges
            WHERE case_id = $1 AND at > $2::timestamptz ORDER BY at, absorbed_id LIMIT $3
            """, [caseID, SQLTime(after), limit]).rows.map { row in
            let (absorbed, survivor, at) = try row.decode((Int64, Int64, Int64).self)
            return (absorbed, survivor, at)
        }
    }
}
