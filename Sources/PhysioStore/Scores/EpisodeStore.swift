import PhysioCore
import PhysioPlatform

/// Reads and writes `anomaly_episodes` for the episode builder: episodes
/// are identified by (case_id, started_at).
public struct EpisodeStore: Sendable {
    public init() {}

    static let columns = """
        \(SQL.micros("started_at")), \(SQL.micros("ended_at")), \(SQL.micros("peak_at")), peak_score,
        \(driversList(separator: ",")), array_to_string(rules, ',')
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
            """, [caseID, Timestamp.format(from), Timestamp.format(to)])
        return (0..<result.rowCount).map { row in
            Episode(caseID: caseID, start: result.int64(row, 0)!, end: result.int64(row, 1)!,
                    peakScore: Double(result.float(row, 3)!), peakTime: result.int64(row, 2)!,
                    vitals: Self.parseDrivers(result.string(row, 4) ?? ""),
                    rules: result.string(row, 5)!.split(separator: ",").map(String.init))
        }
    }

    /// Applies the builder's changes: deletes, then upserts.
    public func apply(_ changes: EpisodeBuilder.Changes, modelID: Int64, on connection: DatabaseConnection) throws {
        for episode in changes.deleted {
            try connection.query("DELETE FROM anomaly_episodes WHERE case_id = $1 AND started_at = $2::timestamptz",
                                 [episode.caseID, Timestamp.format(episode.start)])
        }
        for episode in changes.upserted {
            try connection.query("""
                INSERT INTO anomaly_episodes (case_id, started_at, ended_at, peak_at, peak_score, drivers, rules, model_id)
                VALUES ($1, $2::timestamptz, $3::timestamptz, $4::timestamptz, $5::real, $6::jsonb, $7::text[], $8)
                ON CONFLICT (case_id, started_at) DO UPDATE
                SET ended_at = excluded.ended_at, peak_at = excluded.peak_at, peak_score = excluded.peak_score,
                    drivers = excluded.drivers, rules = excluded.rules, model_id = excluded.model_id, updated_at = now()
                WHERE (anomaly_episodes.ended_at, anomaly_episodes.peak_at, anomaly_episodes.peak_score,
                       anomaly_episodes.drivers, anomaly_episodes.rules, anomaly_episodes.model_id)
                      IS DISTINCT FROM (excluded.ended_at, excluded.peak_at, excluded.peak_score,
                                        excluded.drivers, excluded.rules, excluded.model_id)
                """, [episode.caseID, Timestamp.format(episode.start), Timestamp.format(episode.end),
                      Timestamp.format(episode.peakTime), String(Float(episode.peakScore)),
                      Self.driversJSON(episode.vitals), PostgresArray.literal(episode.rules, quoted: true), String(modelID)])
        }
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

    /// Reads `vital:weight,…` as the query above flattens the drivers.
    static func parseDrivers(_ text: String) -> [VitalWeight] {
        text.split(separator: ",").compactMap { pair in
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let vital = Vital(name: String(parts[0])), let weight = Double(parts[1]) else { return nil }
            return VitalWeight(vital: vital, weight: weight)
        }
    }
}
