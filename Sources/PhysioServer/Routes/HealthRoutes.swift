import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// `/healthz`: the process answers. `/readyz`: the database answers and its
/// schema is the one this binary expects. Both are open (no token), for
/// load balancers and orchestrators.
struct HealthRoutes {
    let pool: ConnectionPool

    var routes: [Route] {
        [
            Route("GET", "/healthz", scope: nil) { _ in
                var json = JSONWriter()
                json.beginObject(); json.field("status", "ok"); json.endObject()
                return .now(.json(json))
            },
            Route("GET", "/readyz", scope: nil) { _ in .now(try readiness()) },
        ]
    }

    func readiness() throws -> Response {
        let status: Migrator.Status
        do {
            status = try pool.withConnection { try Migrator().status($0) }
        } catch let wait as WouldBlock {
            throw wait   // asked again where it may wait for a connection
        } catch {
            return Problem.serviceUnavailable("the database is not reachable").response
        }
        if let problem = status.problem {
            return Problem.serviceUnavailable(problem, retryAfterSeconds: 5).response
        }
        var json = JSONWriter()
        json.beginObject()
        json.field("status", "ready")
        json.field("database", "up")
        json.field("schema_version", status.applied)
        json.endObject()
        return .json(json)
    }
}
