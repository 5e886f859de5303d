import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// One episode, and clinicians' review of it:
/// `GET /cases/{case_id}/anomalies/{episode_id}` (scope read), and
/// `POST …/acknowledge` and `POST …/annotate` (scope review). Each action is
/// appended to the episode's audit trail with the token's name and the
/// time; nothing here changes or deletes one. An episode merged into a
/// longer one since the client saw it is followed: the answer is the
/// episode that holds it now.
struct ReviewRoutes {
    let pool: ConnectionPool
    let knownCases: KnownCases
    let scoreVersions: ScoreVersions

    static let episodePath = "/cases/{case_id}/anomalies/{episode_id}"

    var routes: [Route] {
        [
            Route("GET", Self.episodePath, scope: "read") { request in .now(try read(request)) },
            Route("POST", Self.episodePath + "/acknowledge", scope: "review") { request in .now(try acknowledge(request)) },
            Route("POST", Self.episodePath + "/annotate", scope: "review") { request in .now(try annotate(request)) },
        ]
    }

    func read(_ request: Request) throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let episodeID = try Self.episodeID(request)
        return try pool.withConnection { connection in
            let caseID = try knownCases.existingCaseID(request, on: connection)
            guard let episode = try EpisodeLineage.current(caseID: caseID, episodeID: episodeID, on: connection) else {
                throw Self.unknown(episodeID, caseID)
            }
            let review = try ReviewStore().reviews(caseID: caseID, on: connection)[episode.id] ?? EpisodeReview()
            return Self.answer(episode, review, status: 200)
        }
    }

    /// Idempotent: an episode whose alarms this would cover are covered
    /// already (by anyone, or through an episode merged into it) answers 200
    /// with the acknowledgement it has. The body may name the alarms the
    /// reviewer was shown, `{"alarms":[{"rule":…,"raised_at":…}]}`: only those are covered.
    func acknowledge(_ request: Request) throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let episodeID = try Self.episodeID(request)
        let seen = try Self.alarmsSeen(request)
        return try record(request, episodeID: episodeID) { caseID, reviewer, connection in
            try ReviewStore().acknowledge(caseID: caseID, episodeID: episodeID, seen: seen, by: reviewer, on: connection)
        }
    }

    /// The body's `alarms` as `RuleAlarm.key`s; nil with no body, `{}` or no `alarms`.
    static func alarmsSeen(_ request: Request) throws -> [String]? {
        guard let body = try AnnotationBody.object(request, required: false) else { return nil }
        var errors: [Problem.FieldError] = []
        var seen: [String]?
        body.value.forEachMember { key, member in
            let name = String(decoding: key, as: UTF8.self)
            guard name == "alarms" else {
                errors.append(AnnotationBody.error("/" + AnnotationBody.pointerEscaped(name),
                                                   "unknown field '\(name.prefix(64))'; acknowledge takes {} or {\"alarms\": [...]}", field: name))
                return
            }
            guard member.kind == .array, member.count <= 1000 else {
                errors.append(AnnotationBody.error("/alarms", "alarms must be an array of at most 1000 {\"rule\", \"raised_at\"}", field: name))
                return
            }
            var keys: [String] = []
            for index in 0..<member.count {
                let alarm = member[index]!
                guard let rule = alarm["rule"]?.string, (1...64).contains(rule.unicodeScalars.count),
                      let time = alarm["raised_at"]?.string.flatMap(Timestamp.parseRFC3339), alarm.count == 2 else {
                    errors.append(AnnotationBody.error("/alarms/\(index)",
                                                       "an alarm is {\"rule\": id, \"raised_at\": RFC 3339 time}, as the episode lists it", field: name))
                    continue
                }
                keys.append(RuleAlarm.key(rule: rule, raisedAt: time))
            }
            seen = keys
        }
        guard errors.isEmpty else { throw Problem.unprocessable(Array(errors.prefix(AnnotationBody.maxErrors))) }
        return seen
    }

    /// A repeat of the same reviewer's latest annotation (a retried request) is not stored again: 200.
    func annotate(_ request: Request) throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let episodeID = try Self.episodeID(request)
        let body = try AnnotationBody(request)
        return try record(request, episodeID: episodeID) { caseID, reviewer, connection in
            try ReviewStore().annotate(caseID: caseID, episodeID: episodeID, verdict: body.verdict, reason: body.reason,
                                       note: body.note, by: reviewer, on: connection)
        }
    }

    private func record(_ request: Request, episodeID: Int64,
                        _ action: (CaseID, Reviewer, DatabaseConnection) throws -> ReviewOutcome?) throws -> Response {
        let reviewer = Reviewer(name: request.principal ?? "unknown", tokenID: request.tokenID)
        return try pool.withConnection { connection in
            let caseID = try knownCases.existingCaseID(request, on: connection)
            guard let outcome = try action(caseID, reviewer, connection) else { throw Self.unknown(episodeID, caseID) }
            if outcome.stored {
                // This node's kept /anomalies answers are stale now, before the notification comes back.
                scoreVersions.scored([caseID.rawValue])
                Log.info("episode reviewed", ["case_id": .string(caseID.rawValue), "episode_id": .int(Int(outcome.episode.id)),
                                              "action": .string(outcome.review.trail.last?.kind.rawValue ?? "?"),
                                              "by": .string(reviewer.name)])
            }
            return Self.answer(outcome.episode, outcome.review, status: outcome.stored ? 201 : 200)
        }
    }

    static func answer(_ episode: EpisodeRecord, _ review: EpisodeReview, status: Int) -> Response {
        var json = JSONWriter(capacity: 1024 + 256 * review.trail.count)
        AnomalyRoutes.write(episode, review: review, to: &json)
        return Response(status: status, contentType: "application/json", body: json.bytes,
                        headers: [("Content-Location", "/cases/\(episode.caseID)/anomalies/\(episode.id)")])
    }

    static func episodeID(_ request: Request) throws -> Int64 {
        let text = request.pathParameters["episode_id"] ?? ""
        guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let id = Int64(text), id > 0 else {
            throw Problem.badRequest("'\(text.prefix(32))' is not an episode id (a positive integer)")
        }
        return id
    }

    static func unknown(_ episodeID: Int64, _ caseID: CaseID) -> Problem {
        .notFound("no episode \(episodeID) in case '\(caseID)'")
    }
}
