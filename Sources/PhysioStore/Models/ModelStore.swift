import PhysioCore
import PhysioPlatform

/// The `models` table: trained forests, at most one active.
public struct ModelStore: Sendable {
    public struct Summary: Sendable {
        public let id: Int64
        public let name: String
        public let active: Bool
        public let threshold: Double
        public let featureNames: [String]
        public let createdAt: Int64
        public let activatedAt: Int64?
        /// Training metadata as stored (JSON text).
        public let metadataJSON: String
        /// The body's `format_version`, nil when it names none.
        public let formatVersion: Int?
    }

    public init() {}

    /// Stores a serialised model; `activate` makes it the one workers use.
    public func register(name: String, body: [UInt8], threshold: Double, featureNames: [String], metadataJSON: String,
                         activate: Bool, on connection: DatabaseConnection) throws -> Int64 {
        try connection.transaction {
            try insertInTransaction(name: name, body: body, threshold: threshold, featureNames: featureNames,
                                    metadataJSON: metadataJSON, activate: activate, on: connection)
        }
    }

    /// Registers and activates a model only when the table holds none at
    /// all; returns its id, or nil when there was one. Servers starting
    /// together on an empty database register it once (the table lock).
    public func registerIfEmpty(name: String, body: [UInt8], threshold: Double, featureNames: [String], metadataJSON: String,
                                on connection: DatabaseConnection) throws -> Int64? {
        try connection.transaction {
            try connection.query("LOCK TABLE models IN SHARE ROW EXCLUSIVE MODE")
            guard try connection.query("SELECT 1 FROM models LIMIT 1").rowCount == 0 else { return nil }
            return try insertInTransaction(name: name, body: body, threshold: threshold, featureNames: featureNames,
                                           metadataJSON: metadataJSON, activate: true, on: connection)
        }
    }

    /// The id of the latest model named `name`, registered (not activated)
    /// when there is none: the untrained model a release stands in with
    /// while the active one is a format it cannot read.
    public func registerUnlessNamed(name: String, body: [UInt8], threshold: Double, featureNames: [String], metadataJSON: String,
                                    on connection: DatabaseConnection) throws -> Int64 {
        try connection.transaction {
            try connection.query("LOCK TABLE models IN SHARE ROW EXCLUSIVE MODE")
            if let id = try connection.query("SELECT id FROM models WHERE name = $1 ORDER BY id DESC LIMIT 1", [name]).single(Int64.self) {
                return id
            }
            return try insertInTransaction(name: name, body: body, threshold: threshold, featureNames: featureNames,
                                           metadataJSON: metadataJSON, activate: false, on: connection)
        }
    }

    private func insertInTransaction(name: String, body: [UInt8], threshold: Double, featureNames: [String], metadataJSON: String,
                                     activate: Bool, on connection: DatabaseConnection) throws -> Int64 {
        let result = try connection.query("""
            INSERT INTO models (name, threshold, feature_names, metadata, body)
            VALUES ($1, $2::float8, $3::text[], $4::jsonb, decode($5, 'hex')) RETURNING id
            """, [name, threshold, PostgresArray.literal(featureNames, quoted: true), metadataJSON, Hex.encode(body)])
        let id = try result.scalar(Int64.self)
        if activate { _ = try activateInTransaction(id, on: connection) }
        return id
    }

    /// Makes `id` the active model; false if there is no such model.
    public func activate(_ id: Int64, on connection: DatabaseConnection) throws -> Bool {
        try connection.transaction { try activateInTransaction(id, on: connection) }
    }

    private func activateInTransaction(_ id: Int64, on connection: DatabaseConnection) throws -> Bool {
        guard try connection.query("SELECT 1 FROM models WHERE id = $1 FOR UPDATE", [id]).rowCount == 1 else { return false }
        try connection.query("UPDATE models SET active = false WHERE active AND id <> $1", [id])
        try connection.query("UPDATE models SET active = true, activated_at = now() WHERE id = $1 AND NOT active", [id])
        return true
    }

    /// The active model's id and serialised body, if any.
    public func active(on connection: DatabaseConnection) throws -> (id: Int64, body: [UInt8])? {
        let result = try connection.query("SELECT id, encode(body, 'hex') FROM models WHERE active")
        guard let (id, hex) = try result.single((Int64, String).self), let body = Hex.decode(hex) else { return nil }
        return (id, body)
    }

    public func list(on connection: DatabaseConnection) throws -> [Summary] {
        let result = try connection.query("""
            SELECT id, name, active, threshold, array_to_json(feature_names)::text,
                   \(SQL.micros("created_at")), \(SQL.micros("activated_at")), metadata::text,
                   substring(convert_from(body, 'UTF8') from '"format_version":\\s*([0-9]{1,4})')::int
            FROM models ORDER BY id
            """)
        return try result.decode((Int64, String, Bool, Double, String, Int64, Int64?, String, Int?).self).map { row in
            let (id, name, active, threshold, featureNames, createdAt, activatedAt, metadataJSON, formatVersion) = row
            return Summary(id: id, name: name, active: active, threshold: threshold, featureNames: Self.parseJSONStrings(featureNames),
                           createdAt: createdAt, activatedAt: activatedAt, metadataJSON: metadataJSON, formatVersion: formatVersion)
        }
    }

    /// Feature names are plain identifiers, so a JSON array of them splits simply.
    static func parseJSONStrings(_ json: String) -> [String] {
        json.dropFirst().dropLast().split(separator: ",").map { $0.trimmingQuotes }
    }
}

extension StringProtocol {
    var trimmingQuotes: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\"" { text.removeFirst() }
        while text.last == " " || text.last == "\"" { text.removeLast() }
        return String(text)
    }
}

extension ModelStore {
    /// Stores a trained model (and makes it active if asked); returns its id.
    public func register(_ model: AnomalyModel, name: String, activate: Bool, on connection: DatabaseConnection) throws -> Int64 {
        try register(name: name, body: model.encoded(), threshold: model.threshold, featureNames: model.featureNames,
                     metadataJSON: model.metadataJSON(), activate: activate, on: connection)
    }

    /// `registerUnlessNamed` for a model.
    public func registerUnlessNamed(_ model: AnomalyModel, name: String, on connection: DatabaseConnection) throws -> Int64 {
        try registerUnlessNamed(name: name, body: model.encoded(), threshold: model.threshold, featureNames: model.featureNames,
                                metadataJSON: model.metadataJSON(), on: connection)
    }

    /// `registerIfEmpty` for a model.
    public func registerIfEmpty(_ model: AnomalyModel, name: String, on connection: DatabaseConnection) throws -> Int64? {
        try registerIfEmpty(name: name, body: model.encoded(), threshold: model.threshold, featureNames: model.featureNames,
                            metadataJSON: model.metadataJSON(), on: connection)
    }
}
