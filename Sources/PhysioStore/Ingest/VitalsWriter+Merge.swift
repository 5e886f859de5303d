import PhysioCore
import PhysioPlatform

/// The merge path: some instants of the commit are already stored. Their
/// rows are locked and read, the samples merged into them in memory
/// (InstantMerger), and then new instants copied in, stored ones filled,
/// and a job queued for every row that changed, so that a row which gained
/// vitals after it was scored is scored again.
extension VitalsWriter {
    /// The stored rows among the commit's instants, locked until COMMIT so
    /// that no other writer (another node) merges into them meanwhile. One
    /// primary-key probe per instant: a join could hash the whole table.
    static let lockStored = """
        SELECT v.case_id, \(VitalsReader.columns)
        FROM unnest($1::text[], $2::timestamptz[]) AS k(key_case, key_ts),
             LATERAL (SELECT * FROM vitals v WHERE v.case_id = k.key_case AND v.ts = k.key_ts FOR UPDATE) v
        """

    /// Fills the empty vitals of stored rows (locked above, so coalesce
    /// keeps exactly the values read). ON CONFLICT probes the primary key
    /// per row, where UPDATE … FROM might hash-join the whole table.
    static let fillStored = """
        INSERT INTO vitals AS v (case_id, ts, hr, sbp, dbp, mbp, spo2, rr, etco2, temp)
        SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::real[], $4::real[], $5::real[], $6::real[],
                             $7::real[], $8::real[], $9::real[], $10::real[])
        ON CONFLICT (case_id, ts) DO UPDATE
        SET \(Vital.allCases.map { "\($0.name) = coalesce(v.\($0.name), excluded.\($0.name))" }.joined(separator: ", "))
        """

    /// Jobs for the changed rows and the registry, given per job and per
    /// case arrays; the notification rides along.
    static let enqueueChanges = """
        WITH per_case AS (
            SELECT * FROM unnest($5::text[], $6::timestamptz[], $7::timestamptz[], $8::int8[], $9::int8[])
                AS t(case_id, first_ts, last_ts, samples, merged)),
        jobs AS (
            INSERT INTO inference_jobs (case_id, ts_from, ts_to, samples)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::int4[])
            RETURNING id),
        \(registerCases)
        SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM registered), pg_notify($10, \(CaseEvents.withTransactionSQL("$11")))
        """

    /// Changed instants of a case further apart than this get separate
    /// jobs: a job scores every row in its span, and rows between changed
    /// ones were scored already.
    static let jobGapMicros: Int64 = 60_000_000

    /// In the open transaction (the savepoint rolled back): lock and read
    /// the stored rows, merge, write, queue, commit.
    func merge(_ units: [IngestUnit], on connection: DatabaseConnection) throws -> [[IngestCounts]] {
        let stored = try lockStoredRows(of: units, on: connection)
        let resolution = InstantMerger.resolve(units, stored: stored)
        if !resolution.inserts.isEmpty {
            let encoder = Self.encode(resolution.inserts)
            _ = try encoder.bytes.withUnsafeBytes { try connection.copyIn(Self.copyIntoVitals, data: $0) }
        }
        if !resolution.fills.isEmpty { try fill(resolution.fills, on: connection) }
        if resolution.changesAnything {
            try enqueue(resolution, on: connection)
        } else {
            try connection.execute("COMMIT")
        }
        return resolution.counts
    }

    private func lockStoredRows(of units: [IngestUnit], on connection: DatabaseConnection) throws -> [InstantKey: [Float]] {
        var keys = Set<InstantKey>()
        for batch in units.lazy.flatMap(\.batches) {
            for time in batch.timestamps { keys.insert(InstantKey(caseID: batch.caseID, timestamp: time)) }
        }
        let ordered = keys.sorted { ($0.caseID, $0.timestamp) < ($1.caseID, $1.timestamp) }
        let result = try connection.query(Self.lockStored, [
            PostgresArray.literal(ordered.map(\.caseID), quoted: true), PostgresArray.times(ordered.map(\.timestamp)),
        ])
        var stored: [InstantKey: [Float]] = [:]
        stored.reserveCapacity(result.rowCount)
        for row in result.rows {
            let (caseID, time) = try row.decode((String, Int64).self)
            stored[InstantKey(caseID: caseID, timestamp: time)] = try Vital.allCases.map { try row.decode(2 + $0.rawValue, as: Float?.self) ?? .nan }
        }
        return stored
    }

    private func fill(_ rows: [SampleBatch], on connection: DatabaseConnection) throws {
        var parameters: [any SQLParameter] = [
            PostgresArray.literal(rows.flatMap { batch in repeatElement(batch.caseID, count: batch.count) }, quoted: true),
            PostgresArray.times(rows.flatMap(\.timestamps)),
        ]
        for vital in Vital.allCases {
            parameters.append(PostgresArray.literal(rows.flatMap { batch in
                (0..<batch.count).map { batch.value(vital, row: $0).map { "\($0)" } ?? "NULL" }
            }))
        }
        try connection.query(Self.fillStored, parameters)
    }

    private func enqueue(_ resolution: InstantMerger.Resolution, on connection: DatabaseConnection) throws {
        var jobs: [(caseID: String, from: Int64, to: Int64, samples: Int)] = []
        var perCase: [(caseID: String, first: Int64, last: Int64, samples: Int, merged: Int)] = []
        let inserted = Dictionary(uniqueKeysWithValues: resolution.inserts.map { ($0.caseID, $0.count) })
        let filled = Dictionary(uniqueKeysWithValues: resolution.fills.map { ($0.caseID, $0.count) })
        for caseID in resolution.changed.keys.sorted() {
            let times = resolution.changed[caseID]!
            for span in Self.jobSpans(times) { jobs.append((caseID, span.from, span.to, span.samples)) }
            perCase.append((caseID, times.first!, times.last!, inserted[caseID] ?? 0, filled[caseID] ?? 0))
        }
        let cases = perCase.map(\.caseID)
        try connection.execute(prepared: Self.enqueueChanges, literals: [
            PostgresArray.literal(jobs.map(\.caseID), quoted: true),
            PostgresArray.times(jobs.map(\.from)),
            PostgresArray.times(jobs.map(\.to)),
            PostgresArray.literal(jobs.map { String($0.samples) }),
            PostgresArray.literal(cases, quoted: true),
            PostgresArray.times(perCase.map(\.first)),
            PostgresArray.times(perCase.map(\.last)),
            PostgresArray.literal(perCase.map { String($0.samples) }),
            PostgresArray.literal(perCase.map { String($0.merged) }),
            CaseEvents.channel, CaseEvents.payload(.samples, spans: perCase.map { ($0.caseID, $0.first...$0.last) }),
        ], then: "COMMIT")
    }

    /// Sorted changed instants of one case, as job spans: a new span where
    /// the gap to the previous instant exceeds `jobGapMicros`.
    static func jobSpans(_ times: [Int64]) -> [(from: Int64, to: Int64, samples: Int)] {
        var spans: [(from: Int64, to: Int64, samples: Int)] = []
        for time in times {
            if let last = spans.last, time - last.to <= jobGapMicros {
                spans[spans.count - 1] = (last.from, time, last.samples + 1)
            } else {
                spans.append((time, time, 1))
            }
        }
        return spans
    }
}
