import PhysioCore
import PhysioPlatform

/// The minute aggregate read back for the patient's baseline: per case and
/// minute, each vital's sum, count, min and max (the same relation under TimescaleDB,
/// a continuous aggregate, and on plain PostgreSQL, a table the workers keep).
public struct MinuteMeansReader: Sendable {
    public init() {}

    /// Minute means of each case within its range (bucket start ≥ from, < to).
    /// Minutes from the case's earliest job still in the queue on are computed
    /// from the raw rows, as the read API does: another worker's earlier job
    /// of a backfill may not have refreshed them yet (or a dead letter never
    /// will), and a baseline must not depend on the order jobs are scored in.
    /// The caller's own jobs are deleted before it reads, so they never count.
    /// The minutes of `fromRawRows` cases all come from the raw rows (late rows
    /// under TimescaleDB, which the continuous aggregate lacks until a refresh).
    public func read(_ ranges: [CaseRange], fromRawRows: Set<String> = [], on connection: DatabaseConnection) throws -> [String: MinuteMeans] {
        guard !ranges.isEmpty else { return [:] }
        // The aggregate's columns (samples first, then each vital's sum, count, min, max).
        let columns = AggregateSQL.columns.joined(separator: ", ")
        let result = try connection.query("""
            SELECT r.case_id, (extract(epoch from m.bucket) / 60)::int8, \(columns)
            FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS r(case_id, lo, hi)
            CROSS JOIN LATERAL (SELECT CASE WHEN r.case_id = ANY($4::text[]) THEN '-infinity'::timestamptz
                                            ELSE coalesce(date_trunc('minute', min(j.ts_from)), 'infinity'::timestamptz) END AS start
                                FROM inference_jobs j WHERE j.case_id = r.case_id) queued
            CROSS JOIN LATERAL (SELECT * FROM (
                                    SELECT bucket, \(columns) FROM vitals_1m a
                                    WHERE a.case_id = r.case_id AND a.bucket >= r.lo AND a.bucket < least(r.hi, queued.start)
                                    UNION ALL
                                    SELECT date_trunc('minute', v.ts), \(AggregateSQL.fromRaw) FROM vitals v
                                    WHERE v.case_id = r.case_id AND v.ts >= greatest(r.lo, queued.start) AND v.ts < r.hi
                                    GROUP BY 1) buckets OFFSET 0) m
            ORDER BY r.case_id, m.bucket
            """, CaseRange.parameters(ranges) + [PostgresArray.literal(fromRawRows.sorted())])
        var minutes: [String: (minutes: [Int64], sums: [Double], counts: [Int64], lows: [Float], highs: [Float])] = [:]
        for row in result.rows {
            let caseID: String = try row.decode(0)
            var entry = minutes[caseID] ?? ([], [], [], [], [])
            entry.minutes.append(try row.decode(1))
            for vital in Vital.allCases {
                let column = 3 + 4 * vital.rawValue
                entry.sums.append(try row.decode(column, as: Double?.self) ?? 0)
                entry.counts.append(try row.decode(column + 1, as: Int64?.self) ?? 0)
                entry.lows.append(try row.decode(column + 2, as: Float?.self) ?? .nan)
                entry.highs.append(try row.decode(column + 3, as: Float?.self) ?? .nan)
            }
            minutes[caseID] = entry
        }
        return minutes.mapValues { MinuteMeans(minutes: $0.minutes, sums: $0.sums, counts: $0.counts, lows: $0.lows, highs: $0.highs) }
    }
}
