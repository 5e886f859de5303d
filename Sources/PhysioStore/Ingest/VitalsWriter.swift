import PhysioCore

/// How many samples of one request were new and how many were already stored.
public struct IngestCounts: Sendable, Equatable {
    public let accepted: Int
    public let duplicates: Int
    public init(accepted: Int, duplicates: Int) {
        self.accepted = accepted
        self.duplicates = duplicates
    }
}

/// Stores batches of samples in one transaction: binary COPY into a
/// session-local staging table, then one statement that inserts the new
/// rows (ON CONFLICT DO NOTHING), enqueues one inference job per case for
/// them, updates the case registry, and counts per batch how many were new.
public struct VitalsWriter {
    static let createStaging = """
        CREATE TEMP TABLE IF NOT EXISTS ingest_staging (
            req int4, case_id text, ts timestamptz,
            hr real, sbp real, dbp real, mbp real, spo2 real, rr real, etco2 real, temp real
        ) ON COMMIT DELETE ROWS
        """

    static let copy = "COPY ingest_staging FROM STDIN (FORMAT binary)"

    // DISTINCT ON keeps the earliest batch's copy of a key sent twice in one
    // group; the sorted insert order also keeps concurrent writers from
    // deadlocking on each other's keys.
    static let insert = """
        WITH s AS (
            SELECT DISTINCT ON (case_id, ts) req, case_id, ts, hr, sbp, dbp, mbp, spo2, rr, etco2, temp
            FROM ingest_staging ORDER BY case_id, ts, req),
        ins AS (
            INSERT INTO vitals (case_id, ts, hr, sbp, dbp, mbp, spo2, rr, etco2, temp)
            SELECT case_id, ts, hr, sbp, dbp, mbp, spo2, rr, etco2, temp FROM s
            ON CONFLICT (case_id, ts) DO NOTHING
            RETURNING case_id, ts),
        per_case AS (
            SELECT case_id, min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS samples
            FROM ins GROUP BY case_id),
        jobs AS (
            INSERT INTO inference_jobs (case_id, ts_from, ts_to, samples)
            SELECT case_id, first_ts, last_ts, samples FROM per_case
            RETURNING id),
        registered AS (
            INSERT INTO cases AS c (case_id, first_ts, last_ts, samples)
            SELECT case_id, first_ts, last_ts, samples FROM per_case ORDER BY case_id
            ON CONFLICT (case_id) DO UPDATE
            SET first_ts = least(c.first_ts, excluded.first_ts), last_ts = greatest(c.last_ts, excluded.last_ts),
                samples = c.samples + excluded.samples, updated_at = now()
            RETURNING 1)
        SELECT s.req, count(*) FROM ins JOIN s USING (case_id, ts) GROUP BY s.req
        """

    public init() {}

    /// Writes and commits `batches`; returns their counts in the same order.
    public func write(_ batches: [SampleBatch], on connection: DatabaseConnection) throws -> [IngestCounts] {
        let totalRows = batches.reduce(0) { $0 + $1.count }
        var encoder = BinaryCopyEncoder(estimatedRows: totalRows)
        for (index, batch) in batches.enumerated() {
            let caseID = Array(batch.caseID.utf8)
            batch.values.withUnsafeBufferPointer { values in
                for row in 0..<batch.count {
                    encoder.beginRow(fields: 3 + Vital.count)
                    encoder.int32(Int32(index))
                    encoder.text(caseID)
                    encoder.timestamp(unixMicros: batch.timestamps[row])
                    let base = row * Vital.count
                    for v in 0..<Vital.count { encoder.float4(values[base + v]) }
                }
            }
        }
        encoder.finish()

        var attempt = 0
        while true {
            attempt += 1
            do {
                let inserted = try connection.transaction { () -> [Int: Int] in
                    try connection.execute(Self.createStaging)
                    _ = try encoder.bytes.withUnsafeBytes { try connection.copyIn(Self.copy, data: $0) }
                    let result = try connection.execute(Self.insert)
                    var counts: [Int: Int] = [:]
                    for row in 0..<result.rowCount { counts[result.int(row, 0)!] = result.int(row, 1)! }
                    return counts
                }
                return batches.enumerated().map { index, batch in
                    let accepted = inserted[index] ?? 0
                    return IngestCounts(accepted: accepted, duplicates: batch.count - accepted)
                }
            } catch let error as DatabaseError where error.isRetryable && attempt < 4 {
                continue
            }
        }
    }
}
