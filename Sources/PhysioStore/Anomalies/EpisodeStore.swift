import PhysioCore
import PhysioPlatform

/// An anomaly episode as the API shows it.
public struct EpisodeRecord: Sendable {
    public let id: Int64
    public let caseID: String
    public let start: Int64
    public let end: Int64
    public let peakTime: Int64
    public let peakScore: Double
    /// JSON array as stored: [{"vital":"sbp","weight":0.7},…]
    public let driversJSON: String
    public let rules: [String]
    /// What raised its alarms: model, rule (the safety floor) or both.
    public let source: AlarmSource
    public let modelID: Int64
    /// When its first alarm was raised (`Episode.raisedAt`); nil for episodes stored before it was kept.
    public let raisedAt: Int64?
    /// Each rule's own alarms (`Episode.alarms`).
    public let alarms: [RuleAlarm]

    /// The raised ones, by when each was raised.
    public var raisedAlarms: [RuleAlarm] { RuleAlarm.raised(alarms) }
}

/// Every statement on `anomaly_episodes`: the workers' merge (episodes
/// identified by case and start) and the reads of the API and live streams.
/// Drivers are stored as JSON (`driversJSON`); the workers read them back
/// as `vital:weight` pairs (`driversList`), which the CSV export shares.
public struct EpisodeStore: Sendable {
    public init() {}

    // MARK: - reads for the API

    static let recordColumns = """
        id, case_id, \(SQL.micros("started_at")), \(SQL.micros("ended_at")), \(SQL.micros("peak_at")), peak_score,
        drivers::text, array_to_string(rules, ','), model_id, source, \(SQL.micros("raised_at")), \(alarmsList)
        """

    /// Episodes overlapping [from, to] with a peak of at least `minScore`, by start.
    public func list(caseID: CaseID, from: Int64?, to: Int64?, minScore: Double?,
                     on connection: DatabaseConnection) throws -> [EpisodeRecord] {
        let result = try connection.query(prepared: """
            SELECT \(Self.recordColumns) FROM anomaly_episodes
            WHERE case_id = $1 AND ($2::timestamptz IS NULL OR ended_at >= $2) AND ($3::timestamptz IS NULL OR started_at <= $3)
              AND ($4::real IS NULL OR peak_score >= $4)
            ORDER BY started_at
            """, [caseID, SQLTime.optional(from), SQLTime.optional(to), SQLReal.optional(minScore)])
        return try result.rows.map(Self.record)
    }

    /// The case's latest episode if it is still open: it ended no more than
    /// `gapSeconds` before the case's latest scored sample.
    public func open(caseID: CaseID, gapSeconds: Double, on connection: DatabaseConnection) throws -> EpisodeRecord? {
        let result = try connection.query(prepared: """
            SELECT \(Self.recordColumns) FROM anomaly_episodes e
            WHERE case_id = $1
              AND ended_at >= (SELECT max(ts) FROM anomaly_scores WHERE case_id = $1) - make_interval(secs => $2::float8)
            ORDER BY started_at DESC LIMIT 1
            """, [caseID, gapSeconds])
        return try result.rows.first.map(Self.record)
    }

    /// Episodes of a case changed after `after` (µs), oldest change first, with their update time.
    public func updated(caseID: CaseID, after: Int64, limit: Int = 200,
                        on connection: DatabaseConnection) throws -> [(EpisodeRecord, Int64)] {
        let result = try connection.query("""
            SELECT \(Self.recordColumns), \(SQL.micros("updated_at")) FROM anomaly_episodes
            WHERE case_id = $1 AND updated_at > $2::timestamptz ORDER BY updated_at LIMIT $3
            """, [caseID, SQLTime(after), limit])
        return try result.rows.map { row in (try Self.record(row), try row.decode(12, as: Int64.self)) }
    }

    static func record(_ row: Row) throws -> EpisodeRecord {
        let (id, caseID, start, end, peakTime, peakScore, driversJSON, rules, modelID, source, raisedAt, alarms) =
            try row.decode((Int64, String, Int64, Int64, Int64, Float, String, String, Int64, String, Int64?, String?).self)
        guard let alarmSource = AlarmSource(rawValue: source) else { throw DatabaseError(message: "episode \(id) has source \(source)") }
        return EpisodeRecord(id: id, caseID: caseID, start: start, end: end, peakTime: peakTime, peakScore: Double(peakScore),
                             driversJSON: driversJSON, rules: list(rules), source: alarmSource, modelID: modelID, raisedAt: raisedAt,
                             alarms: parseAlarms(alarms ?? ""))
    }

    static func list(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }

    // MARK: - the workers' merge

    static let columns = """
        \(SQL.micros("started_at")), \(SQL.micros("ended_at")), \(SQL.micros("peak_at")), peak_score,
        \(driversList(separator: ",")), array_to_string(rules, ','), source, \(SQL.micros("row_before")), \(SQL.micros("raised_at")),
        \(alarmsList)
        """

    /// The stored rule alarms as `rule|first µs|last µs|raised µs` (raised
    /// empty when not), joined by commas, in stored order.
    static let alarmsList = """
        (SELECT string_agg((a ->> 'rule') || '|' || \(SQL.micros("(a ->> 'first')::timestamptz")) || '|'
                           || \(SQL.micros("(a ->> 'last')::timestamptz")) || '|'
                           || coalesce(\(SQL.micros("(a ->> 'raised_at')::timestamptz"))::text, ''), ',' ORDER BY o)
         FROM jsonb_array_elements(alarms) WITH ORDINALITY AS e(a, o))
        """

    /// The stored drivers as `vital:weight` pairs joined by `separator`, in order.
    static func driversList(separator: String) -> String {
        "(SELECT string_agg((d ->> 'vital') || ':' || (d ->> 'weight'), '\(separator)' ORDER BY o) FROM jsonb_array_elements(drivers) WITH ORDINALITY AS e(d, o))"
    }

    /// Episodes of `caseID` that end at or after `from` and start at or before `to`.
    public func overlapping(caseID: String, from: Int64, to: Int64, on connection: DatabaseConnection) throws -> [Episode] {
        let result = try connection.query("""
            SELECT \(Self.columns) FROM anomaly_episodes
            WHERE case_id = $1 AND ended_at >= $2::timestamptz AND started_at <= $3::timestamptz
            ORDER BY started_at
            """, [caseID, SQLTime(from), SQLTime(to)])
        return try result.decode((Int64, Int64, Int64, Float, String?, String, String, Int64?, Int64?, String?).self).map {
            start, end, peakTime, peakScore, drivers, rules, source, rowBefore, raisedAt, alarms in
            Episode(caseID: caseID, start: start, end: end, peakScore: Double(peakScore), peakTime: peakTime,
                    vitals: Self.parseDrivers(drivers ?? ""), rules: Self.list(rules), source: AlarmSource(rawValue: source) ?? .model,
                    rowBefore: rowBefore, raisedAt: raisedAt, alarms: Self.parseAlarms(alarms ?? ""))
        }
    }

    /// Applies the builder's changes: deletes, then upserts, then records
    /// which episode took in each deleted row, so its reviews follow it
    /// (`EpisodeLineage`).
    public func apply(_ changes: EpisodeBuilder.Changes, modelID: Int64, on connection: DatabaseConnection) throws {
        var absorbed: [EpisodeLineage.Absorbed] = []
        for episode in changes.deleted {
            let deleted = try connection.query(
                "DELETE FROM anomaly_episodes WHERE case_id = $1 AND started_at = $2::timestamptz RETURNING id",
                [episode.caseID, SQLTime(episode.start)])
            absorbed += try deleted.decode((Int64).self).map {
                EpisodeLineage.Absorbed(id: $0, caseID: episode.caseID, start: episode.start, end: episode.end)
            }
        }
        for episode in changes.upserted {
            try connection.query("""
                INSERT INTO anomaly_episodes (case_id, started_at, ended_at, peak_at, peak_score, drivers, rules, source, model_id,
                                              row_before, raised_at, alarms)
                VALUES ($1, $2::timestamptz, $3::timestamptz, $4::timestamptz, $5::real, $6::jsonb, $7::text[], $8, $9,
                        $10::timestamptz, $11::timestamptz, $12::jsonb)
                ON CONFLICT (case_id, started_at) DO UPDATE
                SET ended_at = excluded.ended_at, peak_at = excluded.peak_at, peak_score = excluded.peak_score,
                    drivers = excluded.drivers, rules = excluded.rules, source = excluded.source,
                    model_id = excluded.model_id, row_before = excluded.row_before, raised_at = excluded.raised_at,
                    alarms = excluded.alarms, updated_at = now()
                WHERE (anomaly_episodes.ended_at, anomaly_episodes.peak_at, anomaly_episodes.peak_score,
                       anomaly_episodes.drivers, anomaly_episodes.rules, anomaly_episodes.source, anomaly_episodes.model_id,
                       anomaly_episodes.row_before, anomaly_episodes.raised_at, anomaly_episodes.alarms)
                      IS DISTINCT FROM (excluded.ended_at, excluded.peak_at, excluded.peak_score,
                                        excluded.drivers, excluded.rules, excluded.source, excluded.model_id, excluded.row_before,
                                        excluded.raised_at, excluded.alarms)
                """, [episode.caseID, SQLTime(episode.start), SQLTime(episode.end), SQLTime(episode.peakTime),
                      SQLReal(episode.peakScore), Self.driversJSON(episode.vitals),
                      PostgresArray.literal(episode.rules, quoted: true), episode.source.rawValue, modelID,
                      SQLTime.optional(episode.rowBefore), SQLTime.optional(episode.raisedAt), Self.alarmsJSON(episode.alarms)])
        }
        try EpisodeLineage.record(absorbed, on: connection)
    }

    /// `[{"vital":"sbp","weight":0.7},…]`, weights rounded to 4 places (what
    /// a reader needs; and stable text for idempotent rewrites).
    public static func driversJSON(_ drivers: [VitalWeight]) -> String {
        var json = JSONWriter()
        json.beginArray()
        for driver in drivers {
            json.beginObject()
            json.field("vital", driver.vital.name)
            json.field("weight", (driver.weight * 10_000).rounded() / 10_000)
            json.endObject()
        }
        json.endArray()
        return json.string
    }

    /// `[{"rule":…,"first":…,"last":…,"raised_at":…},…]` with ISO 8601 times,
    /// readable as stored (Grafana, psql) and stable text for idempotent rewrites.
    public static func alarmsJSON(_ alarms: [RuleAlarm]) -> String {
        var json = JSONWriter()
        json.beginArray()
        for alarm in alarms {
            json.beginObject()
            json.field("rule", alarm.rule)
            json.field("first", Timestamp.format(alarm.first))
            json.field("last", Timestamp.format(alarm.last))
            json.field("raised_at", alarm.raisedAt.map { Timestamp.format($0) })
            json.endObject()
        }
        json.endArray()
        return json.string
    }

    /// Reads what `alarmsList` flattens.
    static func parseAlarms(_ text: String) -> [RuleAlarm] {
        text.split(separator: ",").compactMap { item in
            let parts = item.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 4, let first = Int64(parts[1]), let last = Int64(parts[2]) else { return nil }
            return RuleAlarm(rule: String(parts[0]), first: first, last: last, raisedAt: Int64(parts[3]))
        }
    }

    /// Reads `vital:weight,…` as `driversList` flattens the drivers.
    static func parseDrivers(_ text: String) -> [VitalWeight] {
        text.split(separator: ",").compactMap { pair in
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let vital = Vital(name: String(parts[0])), let weight = Double(parts[1]) else { return nil }
            return VitalWeight(vital: vital, weight: weight)
        }
    }
}
