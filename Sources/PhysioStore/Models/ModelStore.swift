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
    }

    public init() {}

    /// Stores a serialised model; `activate` makes it the one workers use.
    public func register(name: String, body: [UInt8], threshold: Double, featureNames: [String], metadataJSON: String,
                         activate: Bool, on connection: DatabaseConnection) throws -> Int64 {
        try connection.transaction {
            let result = try connection.query("""
                INSERT INTO models (name, threshold, feature_names, metadata, body)
                VALUES ($1, $2::float8, $3::text[], $4::jsonb, decode($5, 'hex')) RETURNING id
                """, [name, String(threshold), PostgresArray.literal(featureNames, quoted: true), metadataJSON, Hex.encode(body)])
            let id = result.int64(0, 0)!
            if activate { _ = try activateInTransaction(id, on: connection) }
            return id
        }
    }

    /// Makes `id` the active model; false if there is no such model.
    public func activate(_ id: Int64, on connection: DatabaseConnection) throws -> Bool {
        try connection.transaction { try activateInTransaction(id, on: connection) }
    }

    private func activateInTransaction(_ id: Int64, on connection: DatabaseConnection) throws -> Bool {
        guard try connection.query("SELECT 1 FROM models WHERE id = $1 FOR UPDATE", [String(id)]).rowCount == 1 else { return false }
        try connection.query("UPDATE models SET active = false WHERE active AND id <> $1", [String(id)])
        try connection.query("UPDATE models SET active = true, activated_at = now() WHERE id = $1 AND NOT active", [String(id)])
        return true
    }

    /// The active model's id and serialised body, if any.
    public func active(on connection: DatabaseConnection) throws -> (id: Int64, body: [UInt8])? {
        let result = try connection.query("SELECT id, encode(body, 'hex') FROM models WHERE active")
        guard result.rowCount == 1, let body = Hex.decode(result.string(0, 1)!) else { return nil }
        return (result.int64(0, 0)!, body)
    }

    public func list(on connection: DatabaseConnection) throws -> [Summary] {
        let result = try connection.query("""
            SELECT id, name, active, threshold, array_to_json(feature_names)::text,
                   (extract(epoch from created_at) * 1000000)::int8, (extract(epoch from activated_at) * 1000000)::int8,
                   metadata::text
            FROM models ORDER BY id
            """)
        return (0..<result.rowCount).map { row in
            Summary(id: result.int64(row, 0)!, name: result.string(row, 1)!, active: result.bool(row, 2)!,
                    threshold: result.double(row, 3)!, featureNames: Self.parseJSONStrings(result.string(row, 4)!),
                    createdAt: result.int64(row, 5)!, activatedAt: result.int64(row, 6), metadataJSON: result.string(row, 7)!)
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
}
