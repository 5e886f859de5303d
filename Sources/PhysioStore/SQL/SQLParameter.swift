import PhysioCore
import PhysioPlatform

/// A value bound to a `$n` parameter, sent in PostgreSQL's text format; nil is NULL.
public protocol SQLParameter {
    var sqlText: String? { get }
}

extension String: SQLParameter {
    public var sqlText: String? { self }
}

extension Int: SQLParameter {
    public var sqlText: String? { String(self) }
}

extension Int64: SQLParameter {
    public var sqlText: String? { String(self) }
}

extension Double: SQLParameter {
    public var sqlText: String? { String(self) }
}

extension Bool: SQLParameter {
    public var sqlText: String? { self ? "t" : "f" }
}

extension Optional: SQLParameter where Wrapped: SQLParameter {
    public var sqlText: String? { self?.sqlText }
}

/// A `timestamptz` parameter given in microseconds since the epoch, the unit
/// of every time in physio; `SQL.micros` is the way back.
public struct SQLTime: SQLParameter, Sendable {
    public let micros: Int64

    public init(_ micros: Int64) { self.micros = micros }

    /// nil stays NULL.
    public static func optional(_ micros: Int64?) -> SQLTime? { micros.map(SQLTime.init) }

    public var sqlText: String? { Timestamp.format(micros) }
}

/// A `real` parameter: compared at the precision the `real` columns keep,
/// and a bound too small for a real (1e-300) is 0, not an underflow error.
public struct SQLReal: SQLParameter, Sendable {
    public let value: Double

    public init(_ value: Double) { self.value = value }

    public static func optional(_ value: Double?) -> SQLReal? { value.map(SQLReal.init) }

    public var sqlText: String? { String(Float(value)) }
}

/// SQL fragments written once.
enum SQL {
    /// A `timestamptz` expression as microseconds since the epoch (`int8`):
    /// how every time leaves the database, decoded as `Int64`.
    static func micros(_ expression: String) -> String {
        "(extract(epoch from \(expression)) * 1000000)::int8"
    }
}

extension CaseID: SQLParameter {
    public var sqlText: String? { rawValue }
}
