import PhysioCore
import PhysioPlatform
import PhysioHTTP
import PhysioStore

/// The answer to an ingest request: what became of its samples, each counted
/// once, and every conflict named (up to `maxListed`) with the value sent,
/// and the stored value that was kept when the token may read it: an
/// ingest-only token (a monitor's) must not read stored values back by
/// sending guesses.
enum IngestReply {
    static let maxListed = 100

    static func response(_ counts: IngestCounts, showsStored: Bool = true) -> Response {
        var json = JSONWriter(capacity: 96 + 128 * min(counts.conflicting.count, maxListed))
        json.beginObject()
        json.field("accepted", counts.accepted)
        json.field("merged", counts.merged)
        json.field("duplicates", counts.duplicates)
        json.field("conflicts", counts.conflicts)
        if !counts.conflicting.isEmpty {
            json.key("conflicting")
            json.beginArray()
            for conflict in counts.conflicting.prefix(maxListed) {
                json.beginObject()
                json.field("index", conflict.row)
                json.field("t", Timestamp.format(conflict.timestamp))
                json.key("fields")
                json.beginObject()
                for field in conflict.fields {
                    json.key(field.vital.name)
                    json.beginObject()
                    if showsStored { json.field("stored", field.stored) }
                    json.field("sent", field.sent)
                    json.endObject()
                }
                json.endObject()
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
        return .json(json)
    }
}
