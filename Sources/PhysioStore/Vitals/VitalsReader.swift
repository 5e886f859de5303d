import PhysioCore
import PhysioPlatform

/// Reads a case's stored samples back as a SampleBatch (sorted by time).
public struct VitalsReader: Sendable {
    public init() {}

    static let columns = SQL.micros("ts") + ", " + Vital.allCases.map(\.name).joined(separator: ", ")

    /// Samples of `caseID` with `from ≤ ts ≤ to` (µs since the epoch).
    public func read(caseID: String, from: Int64, to: Int64, on connection: DatabaseConnection) throws -> SampleBatch {
        let result = try connection.query("""
            SELECT \(Self.columns) FROM vitals
            WHERE case_id = $1 AND ts >= $2::timestamptz AND ts <= $3::timestamptz
            ORDER BY ts
            """, [caseID, SQLTime(from), SQLTime(to)])
        return try Self.batch(caseID: caseID, result)
    }

    /// `rows` of a result whose `columns` start at `firstColumn`, as one case's samples.
    /// Times are never NULL; a NULL vital is a missing value.
    static func batch(caseID: String, _ result: QueryResult, rows: Range<Int>? = nil, firstColumn: Int = 0) throws -> SampleBatch {
        let rows = rows ?? 0..<result.rowCount
        var batch = SampleBatch(caseID: caseID, reservingCapacity: rows.count)
        for row in rows {
            let index = batch.appendRow(timestamp: try Row(result: result, index: row).decode(firstColumn, as: Int64.self))
            for vital in Vital.allCases {
                if let value = result.float(row, firstColumn + 1 + vital.rawValue) { batch.set(vital, row: index, to: value) }
            }
        }
        return batch
    }
}

/// A case and a time range (µs since the epoch, inclusive).
public struct CaseRange: Sendable, Equatable {
    public let caseID: String
    public let from: Int64
    public let to: Int64

    public init(caseID: String, from: Int64, to: Int64) {
        self.caseID = caseID
        self.from = from
        self.to = to
    }

    /// `$n::text[], $n+1::timestamptz[], $n+2::timestamptz[]` parameters for `unnest`.
    static func parameters(_ ranges: [CaseRange]) -> [any SQLParameter] {
        [PostgresArray.literal(ranges.map(\.caseID)), PostgresArray.times(ranges.map(\.from)), PostgresArray.times(ranges.map(\.to))]
    }
}

extension VitalsReader {
    /// The samples of several cases, each within its range, in one query:
    /// one primary-key scan per range (see `AggregateSQL.refreshMinutes`).
    /// With `previousPressureSeconds`, each case's last row that sends a
    /// pressure in the seconds before its range comes first, whatever it is:
    /// a cuff's reading minutes before, which the artefact filter's rule 6
    /// reads (`ArtefactFilter.previousPressureSeconds`), without reading
    /// every row so far back. With `paceRows`, each case's last rows before
    /// its range within `paceSeconds` come too: a slow record's pace, which
    /// joins its rows (`AlarmPolicy.Pace`), without reading every row so far back.
    public func read(_ ranges: [CaseRange], previousPressureSeconds: Double = 0, paceRows: Int = 0, paceSeconds: Double = 0,
                     on connection: DatabaseConnection) throws -> [String: SampleBatch] {
        guard !ranges.isEmpty else { return [:] }
        var parameters = CaseRange.parameters(ranges)
        var before: [String] = []
        if previousPressureSeconds > 0 {
            parameters.append("\(previousPressureSeconds) seconds")
            before.append("""
                (SELECT * FROM vitals p WHERE p.case_id = r.case_id AND p.ts < r.lo AND p.ts >= r.lo - $\(parameters.count)::interval
                   AND (p.sbp IS NOT NULL OR p.dbp IS NOT NULL OR p.mbp IS NOT NULL)
                 ORDER BY p.ts DESC LIMIT 1)
                """)
        }
        if paceRows > 0, paceSeconds > 0 {
            parameters.append("\(paceSeconds) seconds")
            before.append("""
                (SELECT * FROM vitals p WHERE p.case_id = r.case_id AND p.ts < r.lo AND p.ts >= r.lo - $\(parameters.count)::interval
                 ORDER BY p.ts DESC LIMIT \(paceRows))
                """)
        }
        // UNION: the last pressure row may also be one of the last rows.
        let earlier = before.isEmpty ? "" : "(\(before.joined(separator: " UNION "))) UNION ALL "
        let result = try connection.query("""
            SELECT r.case_id, \(Self.columns)
            FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS r(case_id, lo, hi)
            CROSS JOIN LATERAL (\(earlier)
            (SELECT * FROM vitals v WHERE v.case_id = r.case_id AND v.ts >= r.lo AND v.ts <= r.hi OFFSET 0)) v
            ORDER BY r.case_id, ts
            """, parameters)
        var batches: [String: SampleBatch] = [:]
        var start = 0
        while start < result.rowCount {  // rows come case by case
            let caseID = try Row(result: result, index: start).decode(0, as: String.self)
            var end = start + 1
            while end < result.rowCount, result.string(end, 0) == caseID { end += 1 }
            batches[caseID] = try Self.batch(caseID: caseID, result, rows: start..<end, firstColumn: 1)
            start = end
        }
        for range in ranges where batches[range.caseID] == nil { batches[range.caseID] = SampleBatch(caseID: range.caseID) }
        return batches
    }
}

extension SampleBatch {
    /// Rows with `from ≤ timestamp ≤ to` (the batch is sorted by time).
    public func rows(from: Int64, to: Int64) -> Range<Int> {
        SortedTimes.firstIndex(timestamps, atOrAfter: from, in: 0..<count)..<SortedTimes.firstIndex(timestamps, atOrAfter: to &+ 1, in: 0..<count)
    }
}
