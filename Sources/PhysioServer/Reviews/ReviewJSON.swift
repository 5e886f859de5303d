import PhysioCore
import PhysioStore
import PhysioPlatform

/// An episode's `review` as every answer that shows an episode writes it:
/// what the trail adds up to (acknowledged with every alarm the episode
/// raised, the standing verdict) and the trail itself, oldest first.
enum ReviewJSON {
    /// `alarms`: the episode's raised rule alarms.
    static func write(_ review: EpisodeReview, alarms: [RuleAlarm], to json: inout JSONWriter) {
        json.beginObject()
        let acknowledgement = review.acknowledgement
        json.field("acknowledged", review.isAcknowledged(alarms))
        let unacknowledged = acknowledgement == nil ? [] : review.unacknowledged(alarms)
        writeAlarms("unacknowledged_alarms", unacknowledged.map { ($0.rule, $0.raisedAt!) }, to: &json)
        json.field("acknowledged_by", acknowledgement?.actor)
        json.field("acknowledged_at", acknowledgement.map { Timestamp.format($0.at) })
        let annotation = review.annotation
        json.field("verdict", annotation?.verdict?.rawValue)
        json.field("reason", annotation?.reason?.rawValue)
        json.field("note", annotation?.note)
        json.field("annotated_by", annotation?.actor)
        json.field("annotated_at", annotation.map { Timestamp.format($0.at) })
        json.key("trail")
        json.beginArray()
        for entry in review.trail { write(entry, to: &json) }
        json.endArray()
        json.endObject()
    }

    /// One entry. `episode_id` and its times: the episode as it was reviewed
    /// (for a merge, the row that was absorbed).
    static func write(_ entry: ReviewEntry, to json: inout JSONWriter) {
        json.beginObject()
        json.field("action", entry.kind.rawValue)
        json.key("id")
        if entry.kind == .merge { json.null() } else { json.value(entry.id) }
        json.field("at", Timestamp.format(entry.at))
        json.field("by", entry.actor)
        json.field("verdict", entry.verdict?.rawValue)
        json.field("reason", entry.reason?.rawValue)
        json.field("note", entry.note)
        json.field("episode_id", entry.reviewedEpisodeID)
        json.field("episode_start", Timestamp.format(entry.reviewedStart))
        json.field("episode_end", Timestamp.format(entry.reviewedEnd))
        if entry.kind == .acknowledge {
            if let keys = entry.alarms {
                writeAlarms("alarms", keys.compactMap(RuleAlarm.parse(key:)), to: &json)
            } else {
                json.key("alarms")
                json.null()
            }
        }
        json.endObject()
    }

    /// `[{"rule":…,"raised_at":…},…]`: rule alarms as the API names them.
    static func writeAlarms(_ name: String, _ alarms: [(rule: String, raisedAt: Int64)], to json: inout JSONWriter) {
        json.key(name)
        json.beginArray()
        for alarm in alarms {
            json.beginObject()
            json.field("rule", alarm.rule)
            json.field("raised_at", Timestamp.format(alarm.raisedAt))
            json.endObject()
        }
        json.endArray()
    }

}
