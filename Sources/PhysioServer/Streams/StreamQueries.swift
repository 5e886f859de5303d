import PhysioCore
import PhysioStore
import PhysioPlatform

/// Rows for live streams, with their event data (JSON) formatted on demand:
/// each wake re-reads a window of rows, and only those not sent yet are written.
struct StreamQueries {
    struct Row {
        let key: String
        let timestamp: Int64
        let json: () -> String
    }

    func samples(caseID: CaseID, after: Int64, limit: Int, on connection: DatabaseConnection) throws -> [Row] {
        rows(try VitalsQueries().raw(caseID: caseID, from: after + 1, to: nil, limit: limit, on: connection))
    }

    func samples(caseID: CaseID, in span: ClosedRange<Int64>, limit: Int, on connection: DatabaseConnection) throws -> [Row] {
        rows(try VitalsQueries().raw(caseID: caseID, from: span.lowerBound, to: span.upperBound, limit: limit, on: connection))
    }

    private func rows(_ batch: SampleBatch) -> [Row] {
        (0..<batch.count).map { row in
            // A stored instant that gains vitals (a merge) is sent again, whole: key on time and values.
            Row(key: Self.sampleKey(batch, row: row), timestamp: batch.timestamps[row]) {
                var json = JSONWriter(capacity: 160)
                VitalsRoutes.write(batch, row: row, to: &json)
                return json.string
            }
        }
    }

    /// The time and a hash of the values' bits (FNV-1a).
    static func sampleKey(_ batch: SampleBatch, row: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for vital in Vital.allCases {
            hash = (hash ^ UInt64(batch.values[row * Vital.count + vital.rawValue].bitPattern)) &* 0x100_0000_01b3
        }
        return "\(batch.timestamps[row]):\(hash)"
    }

    func scores(caseID: CaseID, after: Int64, limit: Int, on connection: DatabaseConnection) throws -> [Row] {
        rows(try ScoreStore().list(caseID: caseID, from: after + 1, to: nil, minScore: nil, limit: limit, on: connection))
    }

    func scores(caseID: CaseID, in span: ClosedRange<Int64>, limit: Int, on connection: DatabaseConnection) throws -> [Row] {
        rows(try ScoreStore().list(caseID: caseID, from: span.lowerBound, to: span.upperBound, minScore: nil, limit: limit, on: connection))
    }

    private func rows(_ scores: [ScoreRecord]) -> [Row] {
        scores.map { score in
            // The score may be rewritten by a newer model: key on time and value.
            Row(key: "\(score.timestamp):\(score.score):\(score.modelID)", timestamp: score.timestamp) {
                var json = JSONWriter(capacity: 128)
                AnomalyRoutes.write(score, to: &json)
                return json.string
            }
        }
    }

    /// Episodes updated after `updatedAfter`; their key includes the update time, so a grown episode is sent again.
    func episodes(caseID: CaseID, updatedAfter: Int64, on connection: DatabaseConnection) throws -> [Row] {
        let updated = try EpisodeStore().updated(caseID: caseID, after: updatedAfter, on: connection)
        let reviews = updated.isEmpty ? [:] : try ReviewStore().reviews(caseID: caseID, on: connection)
        return updated.map { record, updatedAt in
            Row(key: "\(record.id):\(updatedAt)", timestamp: updatedAt) {
                var json = JSONWriter(capacity: 512)
                AnomalyRoutes.write(record, review: reviews[record.id] ?? EpisodeReview(), to: &json)
                return json.string
            }
        }
    }

    /// Episode rows a merge deleted after `after` (µs), each with the row
    /// that took it in, `{"id": absorbed, "into": survivor}`: a client that
    /// holds the absorbed one drops it. Committed with the survivor's update.
    func merges(caseID: CaseID, after: Int64, on connection: DatabaseConnection) throws -> [Row] {
        try EpisodeLineage.merges(caseID: caseID, after: after, on: connection).map { merge in
            Row(key: "merge:\(merge.absorbed)", timestamp: merge.at) { #"{"id":\#(merge.absorbed),"into":\#(merge.survivor)}"# }
        }
    }

    /// The case's limits as `GET /cases/{id}/limits` answers, if a team
    /// changed them after `after` (µs): one row, keyed by the newest change,
    /// however many came since the stream last looked.
    func limits(caseID: CaseID, after: Int64, on connection: DatabaseConnection) throws -> Row? {
        guard let newest = try CaseLimitStore().changeTimes(caseID: caseID, after: after, on: connection).max() else { return nil }
        let changes = try CaseLimitStore().changes(caseID: caseID, on: connection)
        return Row(key: "limits:\(newest)", timestamp: newest) {
            var json = JSONWriter(capacity: 2048 + 256 * changes.count)
            CaseLimitRoutes.write(caseID, changes, to: &json)
            return json.string
        }
    }

    /// Review actions recorded after `after`, each with the episode that
    /// holds it now (null if that episode is gone) and its whole review.
    func reviews(caseID: CaseID, after: Int64, on connection: DatabaseConnection) throws -> [Row] {
        let actions = try ReviewStore().actions(caseID: caseID, after: after, on: connection)
        guard !actions.isEmpty else { return [] }
        let reviews = try ReviewStore().reviews(caseID: caseID, on: connection)
        var episodes: [Int64: EpisodeRecord] = [:]
        for id in Set(actions.map(\.episodeID)) {
            episodes[id] = try EpisodeLineage.current(caseID: caseID, episodeID: id, on: connection)
        }
        return actions.map { entry in
            Row(key: "\(entry.id)", timestamp: entry.at) {
                var json = JSONWriter(capacity: 1024)
                json.beginObject()
                json.key("entry")
                ReviewJSON.write(entry, to: &json)
                json.key("episode")
                if let episode = episodes[entry.episodeID] {
                    AnomalyRoutes.write(episode, review: reviews[episode.id] ?? EpisodeReview(), to: &json)
                } else {
                    json.null()
                }
                json.endObject()
                return json.string
            }
        }
    }
}
