import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// Checks bearer tokens against `api_tokens`, remembering answers for a few
/// seconds so a busy monitor costs one lookup per interval, not per request.
/// A revoked token stops working within `cacheSeconds`; an expiring one at
/// its time (a cached grant is kept no longer than the token has left).
/// While the database is down, a grant seen before stands until the token's
/// own expiry: no token can be revoked then, and `/metrics`, which needs no
/// database, keeps answering, so a scraper sees `physio_database_up 0`.
public final class TokenAuthenticator: @unchecked Sendable {
    private struct Entry {
        let grant: TokenGrant?
        let expires: UInt64
        /// When the token itself expires (monotonic); nil: never.
        let tokenExpires: UInt64?
    }

    private let pool: ConnectionPool
    private let cacheNanos: UInt64
    private let lock = Lock()
    private var cache: [[UInt8]: Entry] = [:]
    private let maxEntries = 10_000
    private let store = TokenStore()

    public init(pool: ConnectionPool, cacheSeconds: Double = 5) {
        self.pool = pool
        self.cacheNanos = UInt64(cacheSeconds * 1e9)
    }

    /// The grant for `token`, nil if unknown, revoked or expired; throws 503 when the
    /// database cannot say.
    public func authorize(_ token: String) throws -> TokenGrant? {
        let hash = TokenStore.hash(token)
        let now = Clock.monotonicNanos()
        let cached = lock.withLock { cache[hash] }
        if let cached, cached.expires > now { return cached.grant }
        let found: TokenStore.Found?
        do {
            found = try pool.withConnection { try store.lookup(hash: hash, on: $0) }
        } catch let error as DatabaseError {
            if error.isUnavailable, let grant = cached?.grant, cached?.tokenExpires.map({ $0 > now }) ?? true { return grant }
            throw Problem.serviceUnavailable("cannot check the token: the database is unavailable (\(error.isUnavailable ? "down" : "error"))")
        }
        // The row was found by its hash; comparing the hashes again in
        // constant time keeps the decision itself free of timing signals.
        let grant = found.flatMap { row in
            constantTimeEquals(row.storedHash, hash)
                ? TokenGrant(name: row.name, scopes: TokenStore.granted(row.scopes), tokenID: row.id, limit: row.cases.map(Self.limit))
                : nil
        }
        lock.withLock {
            if cache.count >= maxEntries { cache.removeAll(keepingCapacity: true) }
            // Clamped in seconds first: a token made to last centuries overflows nanoseconds.
            let left = found?.secondsLeft.map { UInt64(min(max(0, $0), Double(cacheNanos) / 1e9) * 1e9) } ?? cacheNanos
            // A century in nanoseconds still fits; a longer token counts as never expiring.
            let tokenExpires = found?.secondsLeft.flatMap { $0 < 3e9 ? now + UInt64(max(0, $0) * 1e9) : nil }
            cache[hash] = Entry(grant: grant, expires: now + left, tokenExpires: tokenExpires)
        }
        return grant
    }

    /// A token bound to `patterns` names only those cases: in a path's
    /// `{case_id}` (refused from the headers) and in a body (FHIR).
    static func limit(_ patterns: [CasePattern]) -> TokenLimit {
        TokenLimit(parameter: "case_id", description: "cases " + patterns.map(\.description).joined(separator: ", ")) { patterns.admits($0) }
    }

    /// Forgets cached answers (after a token is revoked through the API).
    public func invalidate() { lock.withLock { cache.removeAll() } }

    /// Forgets the cached grants of tokens found revoked, so that they stop
    /// working at once rather than when their entry expires.
    public func forget(tokenIDs: Set<Int>) {
        guard !tokenIDs.isEmpty else { return }
        lock.withLock {
            cache = cache.filter { _, entry in entry.grant?.tokenID.map { !tokenIDs.contains($0) } ?? true }
        }
    }
}
