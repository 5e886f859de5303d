import PhysioCore
import PhysioPlatform

/// API tokens: `phy_` + 43 base64url characters (256 random bits). Only the
/// SHA-256 of a token is stored; the token itself is shown once, at creation.
public struct TokenStore {
    public static let scopes = ["ingest", "read", "export", "admin", "review", "metrics"]

    /// The scopes a token's stored scopes grant: admin includes review
    /// (whoever runs the server may also acknowledge and annotate alarms),
    /// read includes metrics (a scraper may have only metrics: no patient data).
    public static func granted(_ stored: [String]) -> Set<String> {
        var scopes = Set(stored)
        if scopes.contains("admin") { scopes.insert("review") }
        if scopes.contains("read") { scopes.insert("metrics") }
        return scopes
    }

    public struct Token: Sendable {
        public let id: Int
        public let name: String
        public let scopes: [String]
        public let createdAt: String
        public let revokedAt: String?
        public let expiresAt: String?
        public let expired: Bool
        /// The cases it may write; nil: every case.
        public let cases: [CasePattern]?
    }

    /// What a token in force grants, found by its hash.
    public struct Found: Sendable {
        public let id: Int
        public let name: String
        public let scopes: [String]
        public let storedHash: [UInt8]
        /// Seconds until it expires; nil: never.
        public let secondsLeft: Double?
        /// The cases it may write; nil: every case.
        public let cases: [CasePattern]?
    }

    public init() {}

    public static func generate() -> String {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        return "phy_" + Base64URL.encode(bytes)
    }

    public static func hash(_ token: String) -> [UInt8] { SHA256.hash(token.utf8) }

    /// Creates a token and returns it with its id; the caller shows it once.
    /// `expiresIn` is a PostgreSQL interval (`90 days`); nil: it never expires.
    /// `cases` binds an ingest-only token to those cases; nil: every case.
    public func create(name: String, scopes: [String], expiresIn: String? = nil, cases: [CasePattern]? = nil,
                       on connection: DatabaseConnection) throws -> (id: Int, token: String) {
        let unknown = scopes.filter { !Self.scopes.contains($0) }
        guard unknown.isEmpty, !scopes.isEmpty else {
            throw DatabaseError(message: "unknown scope \(unknown.joined(separator: ", ")); scopes are \(Self.scopes.joined(separator: ", "))")
        }
        if let reason = Self.unusableCases(cases, scopes: scopes) { throw DatabaseError(message: reason) }
        let token = Self.generate()
        let result = try connection.query("""
            INSERT INTO api_tokens (name, token_hash, scopes, expires_at, case_patterns)
            VALUES ($1, decode($2, 'hex'), $3::text[], now() + $4::interval, $5::text[]) RETURNING id
            """, [name, Hex.encode(Self.hash(token)), "{" + scopes.joined(separator: ",") + "}", expiresIn,
                  cases.map { PostgresArray.literal($0.map(\.description)) }])
        return (try result.scalar(Int.self), token)
    }

    /// Why `cases` cannot bind a token of `scopes`, if they cannot: an empty
    /// list, or a token that may do more than ingest (reads list and export
    /// every case, so a bound reader would be a promise not kept).
    public static func unusableCases(_ cases: [CasePattern]?, scopes: [String]) -> String? {
        guard let cases else { return nil }
        if cases.isEmpty { return "--cases needs at least one case id or prefix*" }
        if cases.contains(where: { $0.isPrefix && $0.prefix.isEmpty }) { return "--cases '*' is every case: leave --cases out for that" }
        if Set(scopes) != ["ingest"] {
            return "--cases binds ingest-only tokens (reads and exports reach every case): give it --scope ingest alone"
        }
        return nil
    }

    /// The grant for a token hash, or nil when unknown, revoked or expired,
    /// with the seconds it has left when it expires. Found by
    /// an index lookup, which is not constant time; that is safe because
    /// what is compared is the SHA-256 of what the client sent: timing could
    /// at most tell how a hash the client cannot choose relates to stored
    /// hashes, which says nothing about any token. The caller still compares
    /// the stored hash in constant time.
    public func lookup(hash: [UInt8], on connection: DatabaseConnection) throws -> Found? {
        let result = try connection.query("""
            SELECT name, array_to_string(scopes, ','), encode(token_hash, 'hex'), id,
                   extract(epoch FROM expires_at - now())::float8, array_to_string(case_patterns, ',')
            FROM api_tokens WHERE token_hash = decode($1, 'hex') AND \(Self.inForce)
            """, [Hex.encode(hash)])
        guard let (name, scopes, hash, id, left, cases) = try result.single((String, String, String, Int, Double?, String?).self) else {
            return nil
        }
        return Found(id: id, name: name, scopes: scopes.split(separator: ",").map(String.init), storedHash: Hex.decode(hash) ?? [],
                     secondsLeft: left, cases: cases.map(Self.patterns))
    }

    /// Stored patterns (checked by `create` and the table's constraint).
    static func patterns(_ list: String) -> [CasePattern] { list.split(separator: ",").compactMap(CasePattern.init) }

    /// A token row that still grants: not revoked, not expired.
    static let inForce = "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())"

    /// Which of `ids` are tokens still in force (not revoked, expired or deleted):
    /// what holders of long-lived connections (live streams) check.
    public func active(among ids: [Int], on connection: DatabaseConnection) throws -> Set<Int> {
        guard !ids.isEmpty else { return [] }
        let result = try connection.query("SELECT id FROM api_tokens WHERE id = ANY($1::int8[]) AND \(Self.inForce)",
                                          [PostgresArray.literal(ids.map(String.init))])
        return Set(try result.decode((Int).self))
    }

    public func list(on connection: DatabaseConnection) throws -> [Token] {
        let result = try connection.query("""
            SELECT id, name, array_to_string(scopes, ','), created_at, revoked_at, expires_at, coalesce(expires_at <= now(), false),
                   array_to_string(case_patterns, ',')
            FROM api_tokens ORDER BY id
            """)
        return try result.decode((Int, String, String, String, String?, String?, Bool, String?).self).map {
            id, name, scopes, createdAt, revokedAt, expiresAt, expired, cases in
            Token(id: id, name: name, scopes: scopes.split(separator: ",").map(String.init), createdAt: createdAt,
                  revokedAt: revokedAt, expiresAt: expiresAt, expired: expired, cases: cases.map(Self.patterns))
        }
    }

    /// An id or name that is more than one active token (the id of one, the name of another; a name given twice).
    public struct AmbiguousToken: Error, CustomStringConvertible {
        public let argument: String
        public let matches: [(id: Int, name: String)]
        public var description: String {
            "'\(argument)' is \(matches.count) active tokens (" + matches.map { "id \($0.id) named '\($0.name)'" }.joined(separator: ", ")
                + "): nothing revoked; revoke one by its id"
        }
    }

    /// Revokes the one token in force with this id or name (0 when none); refuses one that names several.
    public func revoke(idOrName: String, on connection: DatabaseConnection) throws -> Int {
        let matches = try connection.query("""
            SELECT id, name FROM api_tokens WHERE \(Self.inForce) AND (name = $1 OR id::text = $1) ORDER BY id
            """, [idOrName]).decode((Int, String).self)
        guard matches.count <= 1 else { throw AmbiguousToken(argument: idOrName, matches: matches.map { (id: $0.0, name: $0.1) }) }
        guard let match = matches.first else { return 0 }
        return try connection.query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", [match.0]).affectedRows
    }

    /// Why `interval` cannot be a new token's lifetime, if it cannot: not a
    /// PostgreSQL interval, shorter than a second (the token printed would be
    /// expired already), or past the last time PostgreSQL can hold.
    public func unusableExpiry(_ interval: String, on connection: DatabaseConnection) throws -> String? {
        let usage = "--expires-in takes a positive PostgreSQL interval, e.g. '90 days' or '12 hours'"
        do {
            let lasting = try connection.query("SELECT now() + $1::interval >= now() + interval '1 second'", [interval]).single(Bool.self) ?? false
            return lasting ? nil : "\(usage); '\(interval)' is less than a second"
        } catch let error as DatabaseError where !error.isUnavailable {
            return "\(usage); '\(interval)' is not one, or reaches past the year 294276"
        }
    }

    /// Why `name` cannot name a new token, if it cannot: empty, with control
    /// characters (they break `token list`), all digits (an id), or the name
    /// of a token in force (`revoke` could not tell them apart; a revoked or
    /// expired one's name may be used again).
    public func unusableName(_ name: String, on connection: DatabaseConnection) throws -> String? {
        if name.allSatisfy(\.isWhitespace) { return "a token needs a name" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return "a token's name cannot hold control characters" }
        if name.allSatisfy(\.isNumber) { return "a token's name cannot be a number (ids are)" }
        let taken = try connection.query("SELECT count(*) FROM api_tokens WHERE \(Self.inForce) AND name = $1", [name]).single(Int.self) ?? 0
        return taken > 0 ? "an active token is named '\(name)' already" : nil
    }
}
