import PhysioCore
import PhysioPlatform
import PhysioStore
import PhysioTestSupport
import Testing

/// "Every case, the last hour" (a Grafana panel, an export without a case)
/// is read through an index on both paths, not by scanning the table: the
/// primary keys lead with case_id and cannot serve it (008_time_indexes.sql).
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct TimeRangeIndexTests {
    /// 2026-01-02 00:00 UTC: the data is the 24 hours before it, 20 cases
    /// every 10 s, written in time order as live ingest writes it.
    static let end: Int64 = 1_767_312_000 * 1_000_000
    static let lastHour = (from: end - 3_600_000_000, to: end)

    @Test func lastHourOfEveryCaseIsAnIndexScanOnPlainPostgreSQL() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try Self.fill(connection)
        // As autovacuum would have by now: BRIN ranges summarised, statistics taken.
        try connection.execute("VACUUM ANALYZE vitals, anomaly_scores, vitals_1m, vitals_1h, anomaly_episodes")

        // The big tables: the planner's own choice, with every plan open to it.
        // They are partitioned by day (009): each partition has the BRIN as
        // <partition>_ts_idx; these past rows are in the default partition.
        let vitals = try plan(connection, Self.exportSelect(.vitals))
        #expect(vitals.contains("Index Scan on vitals_default_ts_idx") && !vitals.contains("Seq Scan"), "\(vitals)")
        let scores = try plan(connection, Self.exportSelect(.scores))
        #expect(scores.contains("Index Scan on anomaly_scores_default_ts_idx") && !scores.contains("Seq Scan"), "\(scores)")
        let minutes = try plan(connection, Self.grafanaPanel("vitals_1m"))
        #expect(minutes.contains("vitals_1m_bucket") && !minutes.contains("Seq Scan"), "\(minutes)")

        // Here 480 hours and 960 episodes fit a few pages, where a scan is
        // right; in a year of 1,000 monitors they do not. So scans are ruled
        // out, and the plan must use the time index, not walk a primary key.
        try connection.execute("SET enable_seqscan = off")
        let hours = try plan(connection, Self.grafanaPanel("vitals_1h"))
        #expect(hours.contains("vitals_1h_bucket"), "\(hours)")
        let episodes = try plan(connection, Self.exportSelect(.episodes))
        #expect(episodes.contains("anomaly_episodes_ended_at"), "\(episodes)")
        try connection.execute("RESET enable_seqscan")

        // Without the index the same query scans the table: the check above can fail.
        try connection.execute("DROP INDEX vitals_ts")
        let scan = try plan(connection, Self.exportSelect(.vitals))
        #expect(scan.contains("Seq Scan on vitals"), "\(scan)")
    }

    /// The same reads on TimescaleDB: chunks excluded by time and the
    /// hypertables' own index on ts (nothing of 008 applies there). Scans are
    /// ruled out because a one-day chunk of this size may rightly be scanned.
    @Test(.enabled(if: Timescale.isEnabled, "\(Timescale.skipMessage)"))
    func lastHourOfEveryCaseIsAnIndexScanOnTimescaleDB() throws {
        try Timescale.withDatabase { database in
            let connection = try database.connect()
            try Self.fill(connection, aggregates: false)
            try connection.execute("ANALYZE vitals; ANALYZE anomaly_scores; ANALYZE anomaly_episodes")
            try connection.execute("SET enable_seqscan = off")
            for (kind, index) in [(ExportKind.vitals, "vitals_ts_idx"), (.scores, "anomaly_scores_ts_idx"),
                                  (.episodes, "anomaly_episodes_ended_at")] {
                let text = try plan(connection, Self.exportSelect(kind))
                #expect(text.contains(index) && !text.contains("Seq Scan"), "\(text)")
            }
        }
    }

    enum ExportKind { case vitals, scores, episodes }

    /// The SELECT inside an export's COPY, for EXPLAIN.
    static func exportSelect(_ kind: ExportKind) -> String {
        let (from, to) = lastHour
        let copy = switch kind {
        case .vitals: ExportStatements.vitals(caseID: nil, from: from, to: to, order: .stored, format: .csv).sql
        case .scores: ExportStatements.scores(caseID: nil, from: from, to: to, order: .stored, format: .csv).sql
        case .episodes: ExportStatements.episodes(caseID: nil, from: from, to: to, format: .csv).sql
        }
        // COPY (select) TO STDOUT …
        var select = copy[..<copy.firstRange(of: "TO STDOUT")!.lowerBound].dropFirst("COPY (".count)
        while select.last?.isWhitespace == true { select = select.dropLast() }
        return String(select.dropLast())
    }

    /// A Grafana time-series panel over every case: mean heart rate per bucket.
    static func grafanaPanel(_ table: String) -> String {
        """
        SELECT bucket AS time, sum(hr_sum) / nullif(sum(hr_count), 0) AS hr FROM \(table)
        WHERE bucket BETWEEN '\(Timestamp.format(lastHour.from))' AND '\(Timestamp.format(lastHour.to))'
        GROUP BY bucket ORDER BY bucket
        """
    }

    func plan(_ connection: DatabaseConnection, _ select: String) throws -> String {
        let result = try connection.execute("EXPLAIN " + select)
        return (0..<result.rowCount).compactMap { result.string($0, 0) }.joined(separator: "\n")
    }

    /// 24 hours of 20 cases, one sample every 10 s, their scores, and an
    /// episode of a minute every 30 min per case; on plain PostgreSQL the
    /// aggregate tables as the workers would have left them.
    static func fill(_ connection: DatabaseConnection, aggregates: Bool = true) throws {
        let start = Timestamp.format(end - 86_400_000_000)
        try connection.execute("""
            INSERT INTO vitals (case_id, ts, hr, spo2)
            SELECT 'case-' || c, '\(start)'::timestamptz + make_interval(secs => s), 60 + c, 97
            FROM generate_series(0, 86390, 10) s, generate_series(1, 20) c ORDER BY s, c;
            INSERT INTO models (name, threshold, feature_names, body) VALUES ('index test', 0.5, '{}', '\\x00');
            INSERT INTO anomaly_scores (case_id, ts, score, anomalous, model_id, ingested_at, scored_at)
            SELECT case_id, ts, 0.1, false, (SELECT id FROM models), ts, ts FROM vitals ORDER BY ts, case_id;
            INSERT INTO anomaly_episodes (case_id, started_at, ended_at, peak_at, peak_score, model_id)
            SELECT 'case-' || c, t, t + interval '1 minute', t, 0.9, (SELECT id FROM models)
            FROM generate_series(1, 20) c,
                 generate_series('\(start)'::timestamptz, '\(start)'::timestamptz + interval '23.5 hours', interval '30 minutes') t;
            """)
        guard aggregates else { return }
        try connection.execute("""
            INSERT INTO vitals_1m (case_id, bucket, samples, hr_sum, hr_count, hr_min, hr_max)
            SELECT case_id, date_trunc('minute', ts), count(*), sum(hr), count(hr), min(hr), max(hr)
            FROM vitals GROUP BY 1, 2 ORDER BY 2, 1;
            INSERT INTO vitals_1h (case_id, bucket, samples, hr_sum, hr_count, hr_min, hr_max)
            SELECT case_id, date_trunc('hour', bucket), sum(samples), sum(hr_sum), sum(hr_count), min(hr_min), max(hr_max)
            FROM vitals_1m GROUP BY 1, 2 ORDER BY 2, 1;
            """)
    }
}
