import PhysioCore
import PhysioPlatform

/// One file of db/migrations, compiled into the binary.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public var checksum: String { SHA256.hex(sql.utf8) }

    /// Every migration, in order. File names are `NNN_name.sql`.
    public static let all: [Migration] = EmbeddedMigrations.files.compactMap { file in
        let digits = file.name.prefix { $0.isNumber }
        guard let version = Int(digits) else { return nil }
        return Migration(version: version, name: file.name, sql: file.contents)
    }.sorted { $0.version < $1.version }

    public static var latestVersion: Int { all.last?.version ?? 0 }
}
