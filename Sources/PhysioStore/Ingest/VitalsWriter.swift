import PhysioCore
import PhysioPlatform

/// How many samples of one request were new and how many were already stored.
public struct IngestCounts: Sendable, Equatable {
    public let accepted: Int
    public let duplicates: Int
    public init(accepted: Int, duplicates: Int) {
        self.accepted = accepted
        self.duplicates = duplicates
    }
}

/// Stores batches of samples in one transaction, with one inference job per
/// case for the new rows and the case registry brought up to date.
///
/// Fast path: binary COPY straight into `vitals` under a savepoint: monitors
/// send new samples, and COPY is the fastest way in. If any row is already
/// stored (a retry) the COPY fails on the primary key, the savepoint is
/// rolled back and the slow path runs: COPY into a session-local staging
/// table, then INSERT … ON CONFLICT DO NOTHING with per-batch counts.
public struct VitalsWriter {
    /// libpq returns from a multi-statement query at the COPY, so the
    /// transaction, the savepoint and the COPY start in one round trip.
    static let beginAndCopyIntoVitals = """
        BEGIN; SAVEPOINT fast_path;
        COPY vitals (case_id, ts, hr, sbp, dbp, mbp, spo2, rr, etco2, temp) FROM STDIN (FORMAT binary)
        """

    static let createStaging = """
        CREATE TEMP TABLE IF NOT EXISTS ingest_staging (
            req int4, case_id text, ts timestamptz,
            hr real, sbp real, dbp real, mbp real, spo2 real, rr real, etco2 real, temp real
        ) ON COMMIT DELETE ROWS
        """

    static let copyIntoStaging = "COPY ingest_staging FROM STDIN (FORMAT binary)"

    /// Given `per_case` (case_id, first_ts, last_ts, samples) of the new
    /// rows: one inference job per case, and the case registry updated
    /// (locked in case order so concurrent writers cannot deadlock).
    static let jobsAndCases = """
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
        """

    /// After a fast-path COPY every row is new; the writer summarised them
    /// per case. The notification ($5, $6) rides along: one round trip fewer.
    static let enqueue = """
        WITH per_case AS (
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::int8[])
                AS t(case_id, first_ts, last_ts, samples)),
        \(jobsAndCases)
        SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM registered), pg_notify($5, $6)
        """

    // DISTINCT ON keeps the earliest batch's copy of a key sent twice in one
    // group; the sorted insert order also keeps concurrent writers from
    // deadlocking on each other's keys.
    static let insertFromStaging = """
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
        \(jobsAndCases)
        SELECT s.req, count(*) FROM ins JOIN s USING (case_id, ts) GROUP BY s.req
        """

    public init() {}

    /// Writes and commits `batches`; returns their counts in the same order.
    public func write(_ batches: [SampleBatch], on connection: DatabaseConnection) throws -> [IngestCounts] {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try writeOnce(batches, on: connection)
            } catch let error as DatabaseError where (error.isRetryable || error.isStalePreparedStatement) && attempt < 4 {
                continue
            }
        }
    }

    /// One transaction, committed if this returns and rolled back if it
    /// throws. The fast path takes three round trips: BEGIN, the savepoint
    /// and the COPY's start; the COPY's rows; the queue statement and COMMIT.
    /// Each round trip waits on the writer thread, which shares the CPU.
    private func writeOnce(_ batches: [SampleBatch], on connection: DatabaseConnection) throws -> [IngestCounts] {
        do {
            if try commitAllNew(batches, on: connection) {
                return batches.map { IngestCounts(accepted: $0.count, duplicates: 0) }
            }
            try CaseEvents.notify(.samples, caseIDs: Set(batches.map(\.caseID)).sorted(), on: connection)
            let counts = try insertSkippingDuplicates(batches, on: connection)
            try connection.execute("COMMIT")
            return counts
        } catch {
            if connection.isOpen { _ = try? connection.execute("ROLLBACK") }
            throw error
        }
    }

    /// The fast path: true once committed; false if some row already exists,
    /// with the transaction still open and nothing written in it.
    private func commitAllNew(_ batches: [SampleBatch], on connection: DatabaseConnection) throws -> Bool {
        let encoder = Self.encode(batches, requestIndex: false)
        var summaries: [String: (first: Int64, last: Int64, samples: Int)] = [:]
        for batch in batches {
            if let range = batch.timeRange {
                let previous = summaries[batch.caseID]
                summaries[batch.caseID] = (min(previous?.first ?? range.lowerBound, range.lowerBound),
                                           max(previous?.last ?? range.upperBound, range.upperBound),
                                           (previous?.samples ?? 0) + batch.count)
            }
        }
        do {
            _ = try encoder.bytes.withUnsafeBytes { try connection.copyIn(Self.beginAndCopyIntoVitals, data: $0) }
        } catch let error as DatabaseError where error.sqlState == "23505" {
            try connection.execute("ROLLBACK TO SAVEPOINT fast_path")
            return false
        }
        let perCase = summaries.sorted { $0.key < $1.key }
        let cases = perCase.map(\.key)
        try connection.execute(prepared: Self.enqueue, literals: [
            PostgresArray.literal(cases, quoted: true),
            PostgresArray.literal(perCase.map { Timestamp.format($0.value.first) }),
            PostgresArray.literal(perCase.map { Timestamp.format($0.value.last) }),
            PostgresArray.literal(perCase.map { String($0.value.samples) }),
            CaseEvents.channel, CaseEvents.payload(.samples, caseIDs: cases),
        ], then: "COMMIT")
        return true
    }

    private func insertSkippingDuplicates(_ batches: [SampleBatch], on connection: DatabaseConnection) throws -> [IngestCounts] {
        let encoder = Self.encode(batches, requestIndex: true)
        try connection.execute(Self.createStaging)
        _ = try encoder.bytes.withUnsafeBytes { try connection.copyIn(Self.copyIntoStaging, data: $0) }
        let result = try connection.execute(Self.insertFromStaging)
        var inserted: [Int: Int] = [:]
        for row in 0..<result.rowCount { inserted[result.int(row, 0)!] = result.int(row, 1)! }
        return batches.enumerated().map { index, batch in
            let accepted = inserted[index] ?? 0
            return IngestCounts(accepted: accepted, duplicates: batch.count - accepted)
        }
    }

    /// Binary COPY rows (case_id, ts, vitals…), led by the batch's index in
    /// `batches` for the staging table that counts duplicates per request.
    private static func encode(_ batches: [SampleBatch], requestIndex: Bool) -> BinaryCopyEncoder {
        var encoder = BinaryCopyEncoder(estimatedRows: batches.reduce(0) { $0 + $1.count })
        for (index, batch) in batches.enumerated() {
            let caseID = Array(batch.caseID.utf8)
            batch.values.withUnsafeBufferPointer { values in
                for row in 0..<batch.count {
                    encoder.beginRow(fields: (requestIndex ? 3 : 2) + Vital.count)
                    if requestIndex { encoder.int32(Int32(index)) }
                    encoder.text(caseID)
                    encoder.timestamp(unixMicros: batch.timestamps[row])
                    let base = row * Vital.count
                    for v in 0..<Vital.count { encoder.float4(values[base + v]) }
                }
            }
        }
        encoder.finish()
        return encoder
    }
}
