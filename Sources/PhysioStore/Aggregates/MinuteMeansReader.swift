import PhysioCore
import PhysioPlatform

/// The minute aggregate read back for the patient's baseline: per case and
/// minute, each vital's sum, count, min and max (the same relation under TimescaleDB,
/// a continuous aggregate, and on plain PostgreSQL, a table the workers keep).
public struct MinuteMeansReader: Sendable {
    public init() {}

    /// Minute means of each case within its range (bucket start ≥ from, < to).
    public func read(_ ranges: [CaseRange], on connection: DatabaseConnection) throws -> [String: MinuteMeans] {
        guard !ranges.isEmpty else { return [:] }
        let columns = Vital.allCases.map { "\($0.name)_sum, \($0.name)_count, \($0.name)_min, \($0.name)_max" }.joined(separator: ", ")
        let result = try connection.query("""
            SELECT r.case_id, (extract(epoch from m.bucket) / 60)::int8, \(columns)
            FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS r(case_id, lo, hi)
            CROSS JOIN LATERAL (SELECT * FROM vitals_1m m
                                WHERE m.case_id = r.case_id AND m.bucket >= r.lo AND m.bucket < r.hi OFFSET 0) m
            ORDER BY r.case_id, m.bucket
            """, CaseRange.parameters(ranges))
        var minutes: [String: (minutes: [Int64], sums: [Double], counts: [Int64], lows: [Float], highs: [Float])] = [:]
        for row in result.rows {
            let caseID: String = try row.decode(0)
            var entry = minutes[caseID] ?? ([], [], [], [], [])
            entry.minutes.append(try row.decode(1))
            for vital in Vital.allCases {
                let column = 2 + 4 * vital.rawValue
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
