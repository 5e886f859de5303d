import PhysioCore
import PhysioStore
import PhysioTestSupport
import PhysioWorker
import Testing
import PhysioPlatform

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct WorkerPoolTests {
    /// Ingest → every sample scored once, the crisis becomes one episode with its rules.
    @Test func everyStoredSampleIsScoredAndTheCrisisIsOneEpisode() throws {
        let database = try TestDatabase.create()
        let modelID = try TestModels.register(on: database)
        let series = TestModels.caseWithCrisis("or-1", start: 1_795_600_000, seconds: 900, crisis: 500..<560)
        // As monitors send it: a batch every minute.
        for batch in series.chunks(of: 60) { try database.ingest([batch]) }
        let pool = try database.startWorkers(name: "w1")
        defer { pool.stop() }
        #expect(try database.waitForEmptyQueue())

        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE case_id = 'or-1'") == 900)
        #expect(try database.count("SELECT count(*) FROM vitals v LEFT JOIN anomaly_scores s USING (case_id, ts) WHERE s.ts IS NULL") == 0)
        #expect(try database.count("SELECT count(DISTINCT model_id) FROM anomaly_scores") == 1)
        #expect(try database.scalar("SELECT min(model_id) FROM anomaly_scores") == String(modelID))
        // Every crisis second is anomalous; the calm minutes mostly not.
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE anomalous AND ts >= to_timestamp(1795600500) AND ts < to_timestamp(1795600560)") == 60)
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE anomalous AND ts < to_timestamp(1795600480)") < 48)

        let episodes = try database.connect().query("""
            SELECT extract(epoch from started_at)::int8, extract(epoch from ended_at)::int8, array_to_string(rules, ','), drivers::text
            FROM anomaly_episodes WHERE case_id = 'or-1' AND ended_at >= to_timestamp(1795600500) AND started_at <= to_timestamp(1795600560)
            """)
        #expect(episodes.rowCount == 1)
        #expect(episodes.int(0, 0)! <= 1_795_600_500)
        #expect(episodes.int(0, 1)! >= 1_795_600_559)
        let rules = episodes.string(0, 2)!.split(separator: ",").map(String.init)
        for rule in ["hr_gt_140", "sbp_lt_80", "spo2_lt_90"] { #expect(rules.contains(rule), "\(rules)") }
        #expect(episodes.string(0, 3)!.contains("\"vital\""))
        #expect(pool.statistics.samples >= 900)
    }

    /// `series` sent `rows` at a time to one worker, each batch scored before the next is sent.
    static func scoreLive(_ database: TestDatabase, _ series: SampleBatch, rows: Int) throws {
        let pool = try database.startWorkers(name: "w-\(series.caseID)", workers: 1)
        defer { pool.stop() }
        for batch in series.chunks(of: rows) {
            try database.ingest([batch])
            #expect(try database.waitForEmptyQueue())
        }
    }

    /// The case's stored scores (score, anomalous) and the offline scorer's,
    /// with the rows whose scores differ.
    static func scoresBesideOffline(_ database: TestDatabase, _ series: SampleBatch) throws
        -> (differing: [Int], stored: QueryResult, offline: [ScoredSample]) {
        let stored = try database.connect().query(
            "SELECT score, anomalous FROM anomaly_scores WHERE case_id = $1 ORDER BY ts", [series.caseID])
        let offline = CaseScorer(model: TestModels.small()).scoreCase(series)
        try #require(stored.rowCount == offline.count)
        return ((0..<offline.count).filter { abs(Double(stored.float($0, 0)!) - offline[$0].score) > 1e-5 }, stored, offline)
    }

    /// The case's stored episodes, (start, end, raised at) in seconds since the epoch, oldest first.
    static func storedEpisodes(_ database: TestDatabase, _ caseID: String) throws -> [(start: Int64, end: Int64, raisedAt: Int64?)] {
        let rows = try database.connect().query("""
            SELECT extract(epoch FROM started_at)::bigint, extract(epoch FROM ended_at)::bigint, extract(epoch FROM raised_at)::bigint
            FROM anomaly_episodes WHERE case_id = $1 ORDER BY started_at
            """, [caseID])
        return (0..<rows.rowCount).map { (rows.int64($0, 0)!, rows.int64($0, 1)!, rows.int64($0, 2)) }
    }

    /// Scores `series` live in jobs of `rows` rows and returns its one stored
    /// episode, having checked it is the one episode the offline scorer gives.
    static func theOneEpisodeLiveAsOffline(_ database: TestDatabase, _ series: SampleBatch, rows: Int) throws
        -> (start: Int64, end: Int64, raisedAt: Int64?) {
        try scoreLive(database, series, rows: rows)
        let stored = try storedEpisodes(database, series.caseID)
        let offline = CaseScorer(model: TestModels.small()).scoreCase(series)
        let episodes = EpisodeBuilder().merge(caseID: series.caseID, existing: [], points: offline.filter(\.anomalous).map(\.point)).upserted
        try #require(stored.count == 1, "\(stored.count) episodes")
        #expect(episodes.count == 1)
        #expect(stored[0].start * 1_000_000 == episodes[0].start && stored[0].end * 1_000_000 == episodes[0].end)
        return stored[0]
    }

    /// Workers read the patient's baseline from the minute aggregate, the
    /// offline scorer from raw rows: a 45-minute case sent a minute at a time,
    /// with a flushed arterial line (300/290 mmHg) at minute 12 and a fall of
    /// pressure at the end, gets the scores and alarms `physio evaluate` gives it.
    @Test func theWorkersScoreACaseAsTheOfflineScorerDoes() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        let start: Int64 = 1_795_600_020
        var series = TestModels.calmCase("parity", start: start, seconds: 2700, seed: 5)
        for second in 720..<728 {
            series.set(.sbp, row: second, to: 300)
            series.set(.dbp, row: second, to: 290)
        }
        // An oximeter motion dip across a job boundary (jobs are 60 s): the worker must read far enough back.
        for second in 1195..<1225 { series.set(.spo2, row: second, to: second < 1197 ? 90 : 81) }
        for second in 2400..<2700 { series.set(.sbp, row: second, to: 120 - Float(second - 2400) * 0.15) }
        try Self.scoreLive(database, series, rows: 60)
        let (differing, stored, offline) = try Self.scoresBesideOffline(database, series)
        #expect(differing.isEmpty, "first at second \(differing.first ?? -1): \(differing.first.map { (stored.float($0, 0)!, offline[$0].score) }.debugDescription)")
        #expect((0..<offline.count).allSatisfy { (stored.string($0, 1) == "t") == offline[$0].anomalous })
        #expect(offline[2690].score > 0.5, "the fall is scored, not only the flush")
        #expect(offline[1197...1224].allSatisfy { $0.rules.isEmpty }, "the dip is removed, not a desaturation")
    }

    /// Values the artefact filter keeps only once they have lasted, scored
    /// live in jobs of 15 s: SBP falling from 120 to 30 (past the plausible
    /// range at 40) with a blood sample's 30 s without pressures, then an
    /// asystole. The stored scores and alarms are the offline scorer's, and
    /// the haemorrhage is one episode to the case's end.
    @Test func pressuresPastTheRangeAndAnAsystoleScoreLiveAsOffline() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        let start: Int64 = 1_795_800_000
        var series = TestModels.calmCase("shock", start: start, seconds: 2400, seed: 9)
        for second in 600..<2400 {
            let systolic = (120 - Float(min(second - 600, 450)) * 0.2).rounded()
            series.set(.sbp, row: second, to: systolic)
            series.set(.dbp, row: second, to: (systolic * 0.6).rounded())
        }
        for second in 1500..<1530 {
            series.set(.sbp, row: second, to: .nan)
            series.set(.dbp, row: second, to: .nan)
        }
        for second in 2000..<2100 { series.set(.hr, row: second, to: 0) }
        try Self.scoreLive(database, series, rows: 15)
        let (differing, stored, offline) = try Self.scoresBesideOffline(database, series)
        #expect(differing.isEmpty, "first at second \(differing.first ?? -1)")
        #expect((0..<offline.count).allSatisfy { (stored.string($0, 1) == "t") == offline[$0].anomalous })
        #expect(offline[2399].rules.contains("sbp_lt_80") && offline[2020].rules.contains("hr_lt_40"), "SBP 30 and HR 0 are judged")
        let last = try #require(try Self.storedEpisodes(database, "shock").last)
        #expect(last.start < start + 1050 && last.end == start + 2399, "one episode from before SBP passes 40 to the last sample")
    }

    /// A cuff every 5½ min falling past the range, scored in jobs of 15 s: a
    /// kept reading's hypotensive reading before it lies before the read of
    /// raw rows of the jobs 4½–5½ min after it, and the worker reads that one
    /// reading apart.
    @Test func aCuffFallingPastTheRangeScoresLiveAsOffline() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        let start: Int64 = 1_795_900_000
        var series = TestModels.calmCase("cuff-shock", start: start, seconds: 2400, seed: 11)
        let cuff: [(Float, Float)] = [(120, 70), (110, 65), (90, 52), (75, 40), (62, 30), (48, 19), (38, 15), (35, 14)]
        for second in 0..<2400 {
            let reading = second % 330 == 0 ? cuff[second / 330] : nil
            series.set(.sbp, row: second, to: reading?.0 ?? .nan)
            series.set(.dbp, row: second, to: reading?.1 ?? .nan)
            series.set(.mbp, row: second, to: .nan)
        }
        try Self.scoreLive(database, series, rows: 15)
        let (differing, stored, offline) = try Self.scoresBesideOffline(database, series)
        #expect(differing.isEmpty, "first at second \(differing.first ?? -1)")
        #expect((0..<offline.count).allSatisfy { (stored.string($0, 1) == "t") == offline[$0].anomalous })
        #expect(offline[2399].rules.contains("sbp_lt_80"), "38/15 and 35/14 are judged")
        let last = try #require(try Self.storedEpisodes(database, "cuff-shock").last)
        #expect(last.start <= start + 990 && last.end == start + 2399, "one episode from the first reading below 80 to the last sample")
    }

    /// A cuff alone every 5 minutes, a reading by hand 30 s after one on the
    /// cycle reads MAP 50, and the team treats it: raised as it comes, live
    /// as offline, jobs of one reading each.
    @Test func aCuffsReadingByHandIsRaisedAsItComesLiveAsOffline() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        let start: Int64 = 1_795_700_000
        var series = SampleBatch(caseID: "cuff-by-hand")
        let readings: [(second: Int64, sbp: Float, dbp: Float, mbp: Float)] =
            stride(from: 0, to: 1800, by: 300).map { ($0, 118, 68, 85) } + [(1800, 112, 65, 80), (1830, 70, 40, 50), (2100, 110, 64, 79), (2400, 115, 66, 82)]
        for reading in readings {
            let row = series.appendRow(timestamp: (start + reading.second) * 1_000_000)
            series.set(.sbp, row: row, to: reading.sbp)
            series.set(.dbp, row: row, to: reading.dbp)
            series.set(.mbp, row: row, to: reading.mbp)
        }
        let episode = try Self.theOneEpisodeLiveAsOffline(database, series, rows: 1)
        #expect(episode.raisedAt == start + 1830, "raised at the reading (until 2026-12-07 at the next one, 270 s later)")
    }

    @Test func aRecordOfOneRowAMinuteGetsOneEpisodePerDeteriorationAsOffline() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        let start: Int64 = 1_795_700_040
        // 90 minutes, one row a minute; MAP 55 from minute 40 to 54. Jobs of 4
        // rows: the hypotension's rows are scored by four jobs.
        var series = SampleBatch(caseID: "minutely")
        for minute in 0..<90 {
            let row = series.appendRow(timestamp: (start + Int64(minute) * 60) * 1_000_000)
            let low = (40..<55).contains(minute)
            series.set(.hr, row: row, to: 72 + Float(minute % 3))
            series.set(.sbp, row: row, to: low ? 78 : 118 + Float(minute % 2))
            series.set(.dbp, row: row, to: low ? 44 : 62)
            series.set(.mbp, row: row, to: low ? 55 : 81)
        }
        let episode = try Self.theOneEpisodeLiveAsOffline(database, series, rows: 4)
        #expect(episode.start <= start + 40 * 60 && episode.end >= start + 54 * 60)
        #expect(episode.raisedAt == start + 40 * 60, "raised as the first low row came (until 2026-12-06, as the next one did)")
    }

    @Test func aCuffAloneEveryFiveMinutesAndAHalfGetsOneEpisodeRaisedAtItsFirstLowReading() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        let start: Int64 = 1_795_710_000
        // Two hours of a cuff and nothing else, a reading every 5½ minutes (one 20 s
        // late); 70/38 at five readings in a row from 66 minutes. Each reading its own
        // job, whose 600 s of context hold one reading before it: the record's pace
        // comes from the rows read before them (`VitalsReader`'s `paceRows`).
        var series = SampleBatch(caseID: "cuff-alone")
        for reading in 0..<22 {
            let row = series.appendRow(timestamp: (start + Int64(reading * 330 + (reading == 14 ? 20 : 0))) * 1_000_000)
            let low = (12..<17).contains(reading)
            series.set(.sbp, row: row, to: low ? 70 : 121 + Float(reading % 3))
            series.set(.dbp, row: row, to: low ? 38 : 66)
            series.set(.mbp, row: row, to: low ? 49 : 84)
        }
        // Until 2026-12-06 each low reading was an episode of its own (rows over 200 s apart never joined).
        let episode = try Self.theOneEpisodeLiveAsOffline(database, series, rows: 1)
        #expect(episode.start == start + 12 * 330 && episode.end == start + 16 * 330)
        #expect(episode.raisedAt == start + 12 * 330, "raised as its first low reading came")

        // The same pace with no pressure in it (HR and SpO2 charted every 5½ minutes):
        // no cuff reading before a job's context says where the row before the one before was.
        var charted = SampleBatch(caseID: "charted")
        for reading in 0..<22 {
            let row = charted.appendRow(timestamp: (start + Int64(reading * 330)) * 1_000_000)
            charted.set(.hr, row: row, to: 74 + Float(reading % 3))
            charted.set(.spo2, row: row, to: (12..<17).contains(reading) ? 85 : 97)
        }
        try Self.scoreLive(database, charted, rows: 1)
        let chartedEpisodes = try Self.storedEpisodes(database, "charted")
        try #require(chartedEpisodes.count == 1, "\(chartedEpisodes.count) episodes")
        #expect(chartedEpisodes[0].raisedAt == start + 12 * 330, "without the rows before the context, raised a reading later")
    }

    @Test func oneJobOfAnHourScoresAsOfflineWithItsOwnMinutesInTheBaseline() throws {
        // A backfill (an import, a FHIR bundle, an HL7 batch) arrives as one job:
        // rows late in it read a baseline of minutes that the same job brought.
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        var series = TestModels.calmCase("backfill", start: 1_795_800_000, seconds: 3000, seed: 9)
        for second in 2400..<3000 { series.set(.sbp, row: second, to: 120 - Float(second - 2400) * 0.1) }
        let pool = try database.startWorkers(name: "w-backfill", workers: 1)
        defer { pool.stop() }
        try database.ingest([series])
        #expect(try database.waitForEmptyQueue())
        let differing = try Self.scoresBesideOffline(database, series).differing
        #expect(differing.isEmpty, "\(differing.count) rows differ, first at second \(differing.first ?? -1)")
    }

    /// Cut at 2450 in a slow fall of SBP: a warning under way when the later
    /// job starts. Cut at 2530 after SBP drops at once to 70 at 2500: a breach
    /// begun 30 s before it, sustained only after, with no warning before.
    @Test(arguments: zip([2450, 2530], [false, true]))
    func aLaterJobScoredBeforeAnEarlierOneGetsTheOfflineScoresAndAlarms(cut: Int, sudden: Bool) throws {
        // Several workers on a backfill: a case's later job may be scored while
        // its earlier ones wait. Its baseline must read their minutes, not yet in
        // the aggregate; and the earlier job, scored last, must raise the alarms
        // its scores confirm or hold in the later job's first rows, and see a
        // breach of its own last rows sustained there.
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        var series = TestModels.calmCase("order", start: 1_795_900_000, seconds: 3000, seed: 11)
        for second in 2100..<3000 {
            series.set(.sbp, row: second, to: sudden ? (second < 2500 ? 120 : 70) : 120 - Float(second - 2100) * 0.1)
        }
        let cuts = [0, 600, 1200, 1800, cut, 3000]
        for (from, to) in zip(cuts, cuts.dropFirst()) {
            var piece = SampleBatch(caseID: series.caseID)
            for row in from..<to { piece.append(row: row, of: series) }
            try database.ingest([piece])
        }
        let connection = try database.connect()
        try connection.execute("UPDATE inference_jobs SET run_at = now() + interval '1 hour' WHERE ts_from < (SELECT max(ts_from) FROM inference_jobs)")
        let pool = try database.startWorkers(name: "w-order", workers: 1)
        defer { pool.stop() }
        #expect(try waitUntil(seconds: 30) { try database.count("SELECT count(*) FROM anomaly_scores") == 3000 - cut })
        #expect(try database.count("SELECT count(*) FROM inference_jobs") == 4, "the earlier jobs waited")
        try connection.execute("UPDATE inference_jobs SET run_at = now()")
        #expect(try database.waitForEmptyQueue())
        let (differing, stored, offline) = try Self.scoresBesideOffline(database, series)
        #expect(differing.isEmpty, "\(differing.count) rows differ, first at second \(differing.first ?? -1)")
        #expect(offline[cut - 1].anomalous && offline[cut].anomalous, "an alarm spans the later job's start")
        let flags = (0..<offline.count).filter { (stored.string($0, 1) == "t") != offline[$0].anomalous }
        #expect(flags.isEmpty, "\(flags.count) alarm flags differ, first at second \(flags.first ?? -1)")
        let sources = try database.count("SELECT count(*) FROM anomaly_scores WHERE anomalous AND source IS NULL")
        #expect(sources == 0)
        // The stored episodes say when their alarms were raised as the offline scorer does.
        let whole = EpisodeBuilder().merge(caseID: series.caseID, existing: [], points: offline.filter(\.anomalous).map(\.point)).upserted
        let episodes = try connection.query("""
            SELECT (extract(epoch FROM started_at) * 1e6)::int8, (extract(epoch FROM raised_at) * 1e6)::int8
            FROM anomaly_episodes WHERE case_id = $1 ORDER BY started_at
            """, [series.caseID]).decode((Int64, Int64?).self)
        #expect(!whole.isEmpty && episodes.map(\.0) == whole.map(\.start), "\(episodes) against \(whole.map(\.start))")
        #expect(episodes.map(\.1) == whole.map(\.raisedAt), "raised: stored \(episodes.map(\.1)), offline \(whole.map(\.raisedAt))")
    }

    /// The plain-PostgreSQL aggregates equal a GROUP BY over the raw rows.
    @Test func aggregatesMatchTheRawRows() throws {
        let database = try TestDatabase.create()
        try TestModels.register(on: database)
        try database.ingest([TestModels.calmCase("agg", start: 1_795_600_030, seconds: 4000)])
        try database.ingest([TestModels.calmCase("agg", start: 1_795_604_100, seconds: 120, seed: 3)])
        let pool = try database.startWorkers(name: "w-agg")
        defer { pool.stop() }
        #expect(try database.waitForEmptyQueue())
        for (table, unit) in [("vitals_1m", "minute"), ("vitals_1h", "hour")] {
            let mismatches = try database.count("""
                WITH raw AS (
                    SELECT case_id, date_trunc('\(unit)', ts) AS bucket, count(*) AS samples,
                           sum(hr::float8) AS hr_sum, count(hr) AS hr_count, min(hr) AS hr_min, max(hr) AS hr_max,
                           count(sbp) AS sbp_count, min(spo2) AS spo2_min
                    FROM vitals GROUP BY 1, 2)
                SELECT count(*) FROM raw FULL JOIN \(table) a USING (case_id, bucket)
                WHERE a.samples IS DISTINCT FROM raw.samples OR a.hr_count IS DISTINCT FROM raw.hr_count
                   OR a.hr_min IS DISTINCT FROM raw.hr_min OR a.hr_max IS DISTINCT FROM raw.hr_max
                   OR abs(a.hr_sum - raw.hr_sum) > 1e-6 * abs(raw.hr_sum)
                   OR a.sbp_count IS DISTINCT FROM raw.sbp_count OR a.spo2_min IS DISTINCT FROM raw.spo2_min
                """)
            #expect(mismatches == 0, "\(table)")
        }
        #expect(try database.count("SELECT count(*) FROM vitals_1h") == 2)
    }

    /// A newly activated model is used for the next jobs without a restart.
    @Test func aRegisteredModelIsPickedUpLive() throws {
        let database = try TestDatabase.create()
        let first = try TestModels.register(on: database, seed: 1, name: "first")
        let pool = try database.startWorkers(name: "w-live")
        defer { pool.stop() }
        try database.ingest([TestModels.calmCase("live", start: 1_795_600_000, seconds: 60)])
        #expect(try database.waitForEmptyQueue())
        #expect(try database.scalar("SELECT min(model_id) FROM anomaly_scores") == String(first))

        let second = try TestModels.register(on: database, seed: 2, name: "second")
        #expect(waitUntil(seconds: 5) { pool.model.current?.id == second })
        try database.ingest([TestModels.calmCase("live", start: 1_795_600_100, seconds: 60)])
        #expect(try database.waitForEmptyQueue())
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE model_id = \(second)") == 60)
        #expect(try database.count("SELECT count(*) FROM anomaly_scores WHERE model_id = \(first)") == 60)
    }
}
