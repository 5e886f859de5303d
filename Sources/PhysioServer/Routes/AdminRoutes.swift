import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// Dead letters and models, for operators (scope `admin`):
/// `GET /jobs?state=failed`, `POST /jobs/{id}/retry`, `GET /models`, `POST /models/{id}/activate`.
struct AdminRoutes {
    let pool: ConnectionPool

    var routes: [Route] {
        [
            Route("GET", "/jobs", scope: "admin") { request in .now(try jobs(request)) },
            Route("POST", "/jobs/{id}/retry", scope: "admin") { request in .now(try retry(request)) },
            Route("GET", "/models", scope: "admin") { request in .now(try models(request)) },
            Route("POST", "/models/{id}/activate", scope: "admin") { request in .now(try activate(request)) },
        ]
    }

    func jobs(_ request: Request) throws -> Response {
        let query = try QueryParameters(request, allowed: ["state", "limit", "after"])
        let state = JobState(rawValue: try query.choice("state", of: JobState.allCases.map(\.rawValue),
                                                        default: JobState.failed.rawValue)) ?? .failed
        let limit = try query.int("limit", default: 100, range: 1...1000)
        let after = try query.string("after").map { text -> Int64 in
            guard let id = Int64(text), id >= 0 else { throw Problem.badRequest("after='\(text.prefix(32))' must be a job id") }
            return id
        }
        let jobs = try pool.withConnection { try JobQueries().list(state: state, afterID: after, limit: limit, on: $0) }
        var json = JSONWriter(capacity: 512 * jobs.count + 32)
        json.beginObject()
        json.key("jobs")
        json.beginArray()
        for job in jobs {
            json.beginObject()
            json.field("id", job.id)
            json.field("case_id", job.caseID)
            json.field("from", Timestamp.format(job.from))
            json.field("to", Timestamp.format(job.to))
            json.field("samples", job.samples)
            json.field("state", job.state.rawValue)
            json.field("attempts", job.attempts)
            json.field("max_attempts", job.maxAttempts)
            json.field("run_at", Timestamp.format(job.runAt))
            json.field("locked_by", job.lockedBy)
            json.field("locked_until", job.lockedUntil.map { Timestamp.format($0) })
            json.field("last_error", job.lastError)
            json.field("created_at", Timestamp.format(job.createdAt))
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return .json(json)
    }

    func retry(_ request: Request) throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let id = try Self.id(request)
        return try pool.withConnection { connection in
            guard try JobQueue.retry(id: id, on: connection) else {
                guard let state = try JobQueries().state(of: id, on: connection) else { throw Problem.notFound("no job \(id)") }
                throw Problem.conflict("job \(id) is \(state.rawValue), not failed; only dead letters can be retried")
            }
            var json = JSONWriter()
            json.beginObject()
            json.field("id", id)
            json.field("state", JobState.available.rawValue)
            json.endObject()
            return .json(json)
        }
    }

    func models(_ request: Request) throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let models = try pool.withConnection { try ModelStore().list(on: $0) }
        var json = JSONWriter(capacity: 2048 * models.count + 32)
        json.beginObject()
        json.key("models")
        json.beginArray()
        for model in models { Self.write(model, to: &json) }
        json.endArray()
        json.endObject()
        return .json(json)
    }

    func activate(_ request: Request) throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let id = try Self.id(request)
        return try pool.withConnection { connection in
            guard try ModelStore().activate(id, on: connection) else { throw Problem.notFound("no model \(id)") }
            guard let model = try ModelStore().list(on: connection).first(where: { $0.id == id }) else {
                throw Problem.notFound("no model \(id)")
            }
            Log.info("model activated", ["model_id": .int(Int(id)), "by": .string(request.principal ?? "?")])
            var json = JSONWriter(capacity: 2048)
            Self.write(model, to: &json)
            return .json(json)
        }
    }

    static func write(_ model: ModelStore.Summary, to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", model.id)
        json.field("name", model.name)
        json.field("active", model.active)
        json.field("threshold", model.threshold)
        AnomalyRoutes.writeStrings("features", model.featureNames, to: &json)
        json.field("created_at", Timestamp.format(model.createdAt))
        json.field("activated_at", model.activatedAt.map { Timestamp.format($0) })
        // A model of an earlier release's format is kept and listed, but workers cannot score with it.
        json.key("format_version")
        if let version = model.formatVersion { json.value(version) } else { json.null() }
        json.field("readable", model.formatVersion == AnomalyModel.formatVersion)
        json.key("metadata")
        json.raw(model.metadataJSON.utf8)
        json.endObject()
    }

    static func id(_ request: Request) throws -> Int64 {
        let text = request.pathParameters["id"] ?? ""
        guard let id = Int64(text), id > 0 else { throw Problem.badRequest("'\(text.prefix(32))' is not an id") }
        return id
    }
}
