import PhysioCore
import PhysioPlatform

/// Stores batches of samples in one transaction, with inference jobs for
/// the rows that changed and the case registry brought up to date.
///
/// Fast path: binary COPY straight into `vitals` under a savepoint: monitors
/// send new instants, and COPY is the fastest way in. Samples of one instant
/// within the commit are merged first, in memory. If any instant is already
/// stored (a retry, or a second message of the same second) the COPY fails
/// on the primary key, the savepoint is rolled back and the merge path runs
/// in the same transaction (VitalsWriter+Merge).
public struct VitalsWriter {
    /// libpq returns from a multi-statement query at the COPY, so the
    /// transaction, the savepoint and the COPY start in one round trip.
    static let beginAndCopyIntoVitals = """
        BEGIN; SAVEPOINT fast_path;
        \(copyIntoVitals)
        """

    static let copyIntoVitals = "COPY vitals (case_id, ts, hr, sbp, dbp, mbp, spo2, rr, etco2, temp) FROM STDIN (FORMAT binary)"

    /// Given `per_case` (case_id, first_ts, last_ts, samples, merged): the
    /// case registry updated, locked in case order so concurrent writers
    /// cannot deadlock. `merged` counts stored instants that gained vitals:
    /// with `samples` it versions what a case's reads return.
    static let registerCases = """
        registered AS (
            INSERT INTO cases AS c (case_id, first_ts, last_ts, samples, merged)
            SELECT case_id, first_ts, last_ts, samples, merged FROM per_case ORDER BY case_id
            ON CONFLICT (case_id) DO UPDATE
            SET first_ts = least(c.first_ts, excluded.first_ts), last_ts = greatest(c.last_ts, excluded.last_ts),
                samples = c.samples + excluded.samples, merged = c.merged + excluded.merged, updated_at = now()
            RETURNING 1)
        """

    /// After a fast-path COPY every row is new: one job per case for its
    /// rows. The notification ($5, $6) rides along (with the transaction id, `CaseEvents`): one round trip fewer.
    static let enqueue = """
        WITH per_case AS (
            SELECT case_id, first_ts, last_ts, samples, 0::int8 AS merged
            FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::int8[]) AS t(case_id, first_ts, last_ts, samples)),
        jobs AS (
            INSERT INTO inference_jobs (case_id, ts_from, ts_to, samples)
            SELECT case_id, first_ts, last_ts, samples FROM per_case
            RETURNING id),
        \(registerCases)
        SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM registered), pg_notify($5, \(CaseEvents.withTransactionSQL("$6")))
        """

    public init() {}

    /// Writes and commits `batches`, each its own unit; returns their counts in the same order.
    public func write(_ batches: [SampleBatch], on connection: DatabaseConnection) throws -> [IngestCounts] {
        try write(units: batches.map { IngestUnit([$0]) }, on: connection).map { $0[0] }
    }

    /// Writes and commits `units` in one transaction; per unit, per batch, what became of their samples.
    public func write(units: [IngestUnit], on connection: DatabaseConnection) throws -> [[IngestCounts]] {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try writeOnce(units, on: connection)
            } catch let error as DatabaseError where (error.isRetryable || error.isStalePreparedStatement || Self.raced(error)) && attempt < 4 {
                continue
            }
        }
    }

    /// A row the merge path found missing was inserted by another node
    /// before its COPY: the next attempt sees and merges it.
    static func raced(_ error: DatabaseError) -> Bool { error.sqlState == "23505" }

    /// One transaction, committed if this returns and rolled back if it
    /// throws. The fast path takes three round trips: BEGIN, the savepoint
    /// and the COPY's start; the COPY's rows; the queue statement and COMMIT.
    /// Each round trip waits on the writer thread, which shares the CPU.
    private func writeOnce(_ units: [IngestUnit], on connection: DatabaseConnection) throws -> [[IngestCounts]] {
        let batches = units.flatMap(\.batches)
        let summary = CommitSummary(batches)
        do {
            if !summary.repeatsAnInstant {
                if try commitAllNew(batches, summary: summary, on: connection) {
                    return units.map { $0.batches.map { IngestCounts.allAccepted($0.count) } }
                }
            } else {
                let merged = InstantMerger.resolve(units, stored: [:])
                if merged.inserts.isEmpty { return merged.counts }
                if try commitAllNew(merged.inserts, summary: CommitSummary(merged.inserts), on: connection) { return merged.counts }
            }
            return try merge(units, on: connection)
        } catch {
            if connection.isOpen && !connection.isIdle { _ = try? connection.execute("ROLLBACK") }
            throw error
        }
    }

    /// The fast path: true once committed; false if some row already exists,
    /// with the transaction still open and nothing written in it.
    private func commitAllNew(_ batches: [SampleBatch], summary: CommitSummary, on connection: DatabaseConnection) throws -> Bool {
        let encoder = Self.encode(batches)
        do {
            _ = try encoder.bytes.withUnsafeBytes { try connection.copyIn(Self.beginAndCopyIntoVitals, data: $0) }
        } catch let error as DatabaseError where error.sqlState == "23505" {
            try connection.execute("ROLLBACK TO SAVEPOINT fast_path")
            return false
        }
        let perCase = summary.sorted
        let cases = perCase.map(\.caseID)
        try connection.execute(prepared: Self.enqueue, literals: [
            PostgresArray.literal(cases, quoted: true),
            PostgresArray.times(perCase.map(\.span.first)),
            PostgresArray.times(perCase.map(\.span.last)),
            PostgresArray.literal(perCase.map { String($0.span.samples) }),
            CaseEvents.channel, CaseEvents.payload(.samples, spans: perCase.map { ($0.caseID, $0.span.first...$0.span.last) }),
        ], then: "COMMIT")
        return true
    }

    /// Binary COPY rows (case_id, ts, vitals…).
    static func encode(_ batches: [SampleBatch]) -> BinaryCopyEncoder {
        var encoder = BinaryCopyEncoder(estimatedRows: batches.reduce(0) { $0 + $1.count })
        for batch in batches {
            let caseID = Array(batch.caseID.utf8)
            batch.values.withUnsafeBufferPointer { values in
                for row in 0..<batch.count {
                    encoder.beginRow(fields: 2 + Vital.count)
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
