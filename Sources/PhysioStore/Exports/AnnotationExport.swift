import PhysioCore
import PhysioPlatform

extension ExportStatements {
    /// Every review action (the audit trail), by case then time: who did
    /// what to which episode and when. `episode_id`, `episode_start` and
    /// `episode_end` are the episode that holds the action now (empty if it
    /// no longer exists), `episode_source` and `episode_rules` what raised
    /// it and the clinical rules it crossed (what threshold labels would
    /// say of it); `reviewed_*` the episode as the reviewer saw it;
    /// `acknowledged_alarms` the rule alarms an acknowledgement covers
    /// (`rule@raised_at`, empty for one recorded before they were kept).
    /// `from`/`to` select actions by their time.
    public static func annotations(caseID: CaseID?, from: Int64?, to: Int64?, format: Format) -> Statement {
        // Free text a reviewer typed, in CSV a spreadsheet may open: one that
        // starts as a formula would (=, +, -, @, a tab or a return) gets a
        // leading ' (OWASP, CSV injection). NDJSON keeps the text as typed.
        func formulaSafe(_ column: String) -> String {
            "CASE WHEN \(column) ~ E'^[-=+@\\t\\r]' THEN '''' || \(column) ELSE \(column) END"
        }
        var conditions = ["true"]
        if let caseID { conditions.append("case_id = '\(caseID.rawValue)'") }
        if let from { conditions.append("at >= '\(Timestamp.format(from))'") }
        if let to { conditions.append("at <= '\(Timestamp.format(to))'") }
        let source = """
            WITH \(EpisodeLineage.chains(actionFilter: conditions.joined(separator: " AND ")))
            SELECT a.id, a.case_id, e.id AS episode_id, e.started_at, e.ended_at, a.action, a.verdict, a.reason, a.note,
                   a.actor, a.at, a.episode_id AS reviewed_episode_id, a.episode_start, a.episode_end,
                   e.source, array_to_string(e.rules, ';') AS rules,
                   array_to_string(a.alarms, ';') AS acknowledged_alarms
            FROM current cur JOIN review_actions a ON a.id = cur.action_id
            LEFT JOIN anomaly_episodes e ON e.id = cur.episode_id
            ORDER BY a.case_id COLLATE "C", a.at, a.id
            """
        switch format {
        case .csv:
            return Statement(sql: """
                COPY (SELECT r.id AS action_id, r.case_id, r.episode_id, \(isoTime("r.started_at")) AS episode_start,
                             \(isoTime("r.ended_at")) AS episode_end, r.action, r.verdict, r.reason,
                             \(formulaSafe("r.note")) AS note, \(formulaSafe("r.actor")) AS reviewer,
                             \(isoTime("r.at")) AS at, r.reviewed_episode_id, \(isoTime("r.episode_start")) AS reviewed_start,
                             \(isoTime("r.episode_end")) AS reviewed_end, r.source AS episode_source, r.rules AS episode_rules,
                             r.acknowledged_alarms
                      FROM (\(source)) r)
                TO STDOUT WITH (FORMAT csv, HEADER true)
                """, format: format)
        case .ndjson:
            // Each CSV row becomes a JSON line in the server (NDJSONRow): COPY's
            // text format would double the backslashes of JSON a note needs.
            return Statement(sql: """
                COPY (SELECT r.id, r.case_id, r.episode_id, r.started_at, r.ended_at, r.action, r.verdict, r.reason, r.note,
                             r.actor, r.at, r.reviewed_episode_id, r.episode_start, r.episode_end, r.source, r.rules,
                             r.acknowledged_alarms
                      FROM (\(source)) r)
                TO STDOUT WITH (FORMAT csv)
                """, format: format, columns: [
                    ("action_id", .number), ("case_id", .string), ("episode_id", .number), ("episode_start", .time),
                    ("episode_end", .time), ("action", .string), ("verdict", .string), ("reason", .string), ("note", .string),
                    ("reviewer", .string), ("at", .time), ("reviewed_episode_id", .number), ("reviewed_start", .time),
                    ("reviewed_end", .time), ("episode_source", .string), ("episode_rules", .list), ("acknowledged_alarms", .list),
                ])
        }
    }
}
