import PhysioPlatform

/// Finds the route for a request, checks its token and runs its handler,
/// turning every failure into problem+json.
public final class Router: Sendable {
    public typealias Authorize = @Sendable (_ token: String) throws -> TokenGrant?
    public typealias MapError = @Sendable (_ error: Error, _ request: Request) -> Problem?

    private let routes: [Route]
    private let authorize: Authorize
    private let mapError: MapError
    private let blockingWork: BlockingWork?

    /// `authorize` returns nil for an unknown token and may throw a Problem
    /// (503 when it cannot tell). `mapError` turns library errors into problems.
    /// A request that would wait on an event-loop thread (`WouldBlock`) runs
    /// again on `blockingWork`; without it, it is answered 503.
    public init(routes: [Route], authorize: @escaping Authorize, mapError: @escaping MapError = { _, _ in nil },
                blockingWork: BlockingWork? = nil) {
        self.routes = routes
        self.authorize = authorize
        self.mapError = mapError
        self.blockingWork = blockingWork
    }

    enum Match {
        case found(Route, [String: String])
        case methodNotAllowed([String])
        case notFound
    }

    func match(method: String, path: String) -> Match {
        let parts = Route.split(path)
        let lookupMethod = method == "HEAD" ? "GET" : method
        var allowed: [String] = []
        for route in routes {
            guard let parameters = route.match(parts) else { continue }
            if route.method == lookupMethod { return .found(route, parameters) }
            allowed.append(route.method)
        }
        if allowed.isEmpty { return .notFound }
        if allowed.contains("GET") { allowed.append("HEAD") }
        return .methodNotAllowed(allowed)
    }

    /// The answer to `incoming` and the route's pattern (or "unmatched"),
    /// for the access log and metrics. No socket is needed: tests call it
    /// with in-memory requests.
    public func respond(to incoming: Request) -> (reply: Reply, label: String) {
        var request = incoming
        let route: Route
        switch find(request) {
        case .failure(let unmatched):
            return (.now(unmatched.response), "unmatched")
        case .success(let (found, parameters)):
            route = found
            request.pathParameters = parameters
        }
        do {
            try admit(&request, to: route)
            return (try route.handler(request), route.pattern)
        } catch let problem as Problem {
            return (.now(problem.response), route.pattern)
        } catch is WouldBlock {
            return (handOff(incoming), route.pattern)
        } catch {
            if let problem = mapError(error, request) { return (.now(problem.response), route.pattern) }
            Log.error("handler failed", ["request_id": .string(request.id), "route": .string(route.pattern),
                                         "error": .string(String(describing: error))])
            return (.now(Problem.internalError(requestID: request.id).response), route.pattern)
        }
    }

    /// What the headers alone say about a request with a body.
    public enum BodylessAnswer {
        /// The answer whatever the body: no route, a method not allowed, a
        /// token missing, refused or lacking the scope. No body is read.
        case answer(Response, label: String)
        /// The body decides.
        case readBody
        /// The token needs the database first (`lookUpToken`), then ask again.
        case lookUpFirst(label: String)

        public var answer: (response: Response, label: String)? {
            if case .answer(let response, let label) = self { return (response, label) }
            return nil
        }
    }

    /// The answer a request gets whatever its body, when the headers and the
    /// cached tokens tell it without waiting.
    public func answerWithoutBody(to incoming: Request) -> BodylessAnswer {
        switch find(incoming) {
        case .failure(let unmatched):
            return .answer(unmatched.response, label: "unmatched")
        case .success(let (route, parameters)):
            // Read, a body sent to a route without a token (the dashboard's
            // files, /healthz) held up to --max-body-bytes per connection.
            guard route.takesBody else {
                return .answer(Problem.badRequest("\(route.method) \(route.pattern) takes no request body; send none").response,
                               label: route.pattern)
            }
            var request = incoming
            request.pathParameters = parameters
            do {
                try admit(&request, to: route)
                return .readBody
            } catch let problem as Problem {
                return .answer(problem.response, label: route.pattern)
            } catch is WouldBlock {
                return blockingWork == nil ? .readBody : .lookUpFirst(label: route.pattern)
            } catch {
                return .readBody
            }
        }
    }

    /// Looks the request's token up on a thread that may wait (the
    /// authorizer caches the answer), then calls `done` with the refusal
    /// when the lookup refused it or could not tell (503: the database is
    /// down, and nothing was cached), else nil; false when that work queue is full.
    public func lookUpToken(of request: Request, then done: @escaping @Sendable (Response?) -> Void) -> Bool {
        blockingWork?.submit { [self] in
            do {
                _ = try authenticate(request)
                done(nil)
            } catch let problem as Problem {
                done(problem.response)
            } catch {
                done(nil)
            }
        } ?? false
    }

    /// The request's route and path parameters, or the problem when none matches (404, 405).
    private func find(_ request: Request) -> Result<(Route, [String: String]), Problem> {
        switch match(method: request.method, path: request.path) {
        case .notFound: .failure(Problem.notFound("no route for \(request.path)"))
        case .methodNotAllowed(let allowed): .failure(Problem.methodNotAllowed(request.method, allowed: allowed))
        case .found(let route, let parameters): .success((route, parameters))
        }
    }

    /// Checks the token `route`'s scope needs (401, 403; `WouldBlock` when
    /// it must be looked up first) and tells the request who sent it.
    private func admit(_ request: inout Request, to route: Route) throws {
        guard let scope = route.scope else { return }
        let grant = try authenticate(request)
        guard grant.scopes.contains(scope) else {
            throw Problem.forbidden("this token lacks the '\(scope)' scope", scope: scope)
        }
        if let limit = grant.limit, let value = request.pathParameters[limit.parameter], !limit.admits(value) {
            throw limit.refusal(of: value)
        }
        request.scopes = grant.scopes
        request.principal = grant.name
        request.tokenID = grant.tokenID
        request.tokenLimit = grant.limit
    }

    /// The whole request (token check included) again, on a thread that may
    /// wait; the client's connection is suspended until it is answered.
    private func handOff(_ request: Request) -> Reply {
        let deferred = DeferredResponse()
        let accepted = blockingWork?.submit { [self] in
            switch respond(to: request).reply {
            case .now(let response): deferred.complete(response)
            case .later(let inner): inner.whenComplete { deferred.complete($0) }
            }
        } ?? false
        guard accepted else {
            return .now(Problem.serviceUnavailable("the server is busy; retry shortly", retryAfterSeconds: 1).response)
        }
        return .later(deferred)
    }

    private func authenticate(_ request: Request) throws -> TokenGrant {
        guard let header = request.header("Authorization") else {
            throw Problem.unauthorized("this route needs a bearer token: Authorization: Bearer <token>")
        }
        let value = header.trimmingSpaces
        guard let space = value.utf8.firstIndex(of: UInt8(ascii: " ")), value[..<space].lowercased() == "bearer" else {
            throw Problem.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        let token = value[value.utf8.index(after: space)...].trimmingSpaces
        guard !token.isEmpty, let grant = try authorize(token) else {
            throw Problem.invalidToken("the bearer token is not valid (unknown, revoked or expired)")
        }
        return grant
    }
}
