import CLibPQ

/// A failed database operation. `isUnavailable` separates "the database is
/// down or restarting, try again" (HTTP 503) from a failed statement.
public struct DatabaseError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let sqlState: String?
    public let isUnavailable: Bool

    public init(message: String, sqlState: String? = nil, isUnavailable: Bool = false) {
        self.message = message
        self.sqlState = sqlState
        self.isUnavailable = isUnavailable
    }

    public var description: String {
        sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message
    }

    /// Deadlock or serialization failure: the transaction can simply be run again.
    public var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }

    /// A prepared statement the session lost (26000), or whose plan a schema
    /// change invalidated ("cached plan must not change result type", 0A000).
    public var isStalePreparedStatement: Bool { sqlState == "26000" || sqlState == "0A000" }

    static func unavailable(_ message: String) -> DatabaseError {
        DatabaseError(message: message, isUnavailable: true)
    }

    /// Connection exceptions (class 08), shutdowns and "cannot connect now"
    /// (57P01–57P03), too many connections (53300), and a database that takes
    /// no writes (25006): a standby, or a primary demoted in a failover. The
    /// connection is then dropped, and a new one (with a multi-host URL and
    /// target_session_attrs=read-write) finds the new primary.
    static func isUnavailableState(_ state: String?) -> Bool {
        guard let state else { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03" || state == "53300"
            || state == "25006"
    }
}
