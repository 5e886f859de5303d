import PhysioCore
import PhysioStore

/// Rows for live streams, already formatted as event data (JSON).
struct StreamQueries {
    struct Row {
        let key: String
        let timestamp: Int64
        let json: String
    }

    func samples(caseID: String, after: Int64, limit: Int, on connection: DatabaseConnection) throws -> [Row] {
        let batch = try VitalsQueries().raw(caseID: caseID, from: after + 1, to: nil, limit: limit, on: connection)
        return (0..<batch.count).map { row in
            var json = JSONWriter(capacity: 160)
            json.beginObject()
            json.field("t", Timestamp.format(batch.timestamps[row]))
            for vital in Vital.allCases { if let value = batch.value(vital, row: row) { json.field(vital.name, value) } }
            json.endObject()
            return Row(key: String(batch.timestamps[row]), timestamp: batch.timestamps[row], json: json.string)
        }
    }

    func scores(caseID: String, after: Int64, limit: Int, on connection: DatabaseConnection) throws -> [Row] {
        try AnomalyQueries().scores(caseID: caseID, from: after + 1, to: nil, minScore: nil, limit: limit, on: connection).map { score in
            var json = JSONWriter(capacity: 128)
            json.beginObject()
            json.field("t", Timestamp.format(score.timestamp))
            json.field("score", Float(score.score))
            json.field("anomalous", score.anomalous)
            AnomalyRoutes.writeStrings("rules", score.rules, to: &json)
            json.field("model_id", score.modelID)
            json.endObject()
            // The score may be rewritten by a newer model: key on time and value.
            return Row(key: "\(score.timestamp):\(score.score):\(score.modelID)", timestamp: score.timestamp, json: json.string)
        }
    }

    /// Episodes updated after `updatedAfter`; their key includes the update time, so a grown episode is sent again.
    func episodes(caseID: String, updatedAfter: Int64, on connection: DatabaseConnection) throws -> [Row] {
        try AnomalyQueries().episodesUpdated(caseID: caseID, after: updatedAfter, on: connection).map { record, updatedAt in
            var json = JSONWriter(capacity: 512)
            AnomalyRoutes.write(record, to: &json)
            return Row(key: "\(record.id):\(updatedAt)", timestamp: updatedAt, json: json.string)
        }
    }
}
