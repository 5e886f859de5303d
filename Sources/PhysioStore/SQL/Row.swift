import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One row of a `QueryResult`, decoded by position or by column name into
/// typed values. A NULL decodes only into an Optional; a NULL or malformed
/// value anywhere else throws `DatabaseError` naming the column, instead
/// of trapping the process.
public struct Row {
    let result: QueryResult
    public let index: Int

    /// The value of `column` (0-based) as `T`.
    public func decode<T: ColumnDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T {
        try T.decode(ColumnValue(result: result, row: index, column: column))
    }

    /// The value of the column named `name` as `T`.
    public func decode<T: ColumnDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        let column = Int(PQfnumber(result.result, name))
        guard column >= 0 else { throw DatabaseError(message: "the result has no column \(name)") }
        return try decode(column, as: type)
    }

    /// The first columns, in order: `let (id, caseID) = try row.decode((Int64, String).self)`.
    public func decode<each T: ColumnDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var column = 0
        func next<V: ColumnDecodable>(_ type: V.Type) throws -> V {
            defer { column += 1 }
            return try decode(column, as: type)
        }
        return (repeat try next((each T).self))
    }

    /// The text of a value as PostgreSQL sent it, without a copy, for
    /// splicing into an answer; nil for NULL. Valid while the result lives.
    public func text(_ column: Int) -> UnsafeBufferPointer<UInt8>? {
        ColumnValue(result: result, row: index, column: column).bytes
    }
}

extension QueryResult {
    /// Every row, in order.
    public var rows: [Row] { (0..<rowCount).map { Row(result: self, index: $0) } }

    /// Every row decoded as the tuple `types`.
    public func decode<each T: ColumnDecodable>(_ types: (repeat each T).Type) throws -> [(repeat each T)] {
        try rows.map { try $0.decode(types) }
    }

    /// The only row, decoded; nil when there is none, an error when there are more.
    public func single<each T: ColumnDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T)? {
        guard rowCount > 0 else { return nil }
        guard rowCount == 1 else { throw DatabaseError(message: "expected one row, got \(rowCount)") }
        return try Row(result: self, index: 0).decode(types)
    }

    /// The first column of the only row: counts, ids, flags.
    public func scalar<T: ColumnDecodable>(_ type: T.Type = T.self) throws -> T {
        guard rowCount == 1, columnCount >= 1 else {
            throw DatabaseError(message: "expected one value, got \(rowCount) rows of \(columnCount) columns")
        }
        return try Row(result: self, index: 0).decode(0, as: type)
    }
}

/// One value of a result in libpq's text format.
public struct ColumnValue {
    let result: QueryResult
    let row: Int
    let column: Int

    public var isNull: Bool { PQgetisnull(result.result, Int32(row), Int32(column)) == 1 }

    /// The NUL-terminated text, nil for NULL.
    public var cString: UnsafePointer<CChar>? {
        isNull ? nil : UnsafePointer(PQgetvalue(result.result, Int32(row), Int32(column)))
    }

    public var bytes: UnsafeBufferPointer<UInt8>? {
        guard let cString else { return nil }
        let length = Int(PQgetlength(result.result, Int32(row), Int32(column)))
        return UnsafeBufferPointer(start: UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self), count: length)
    }

    /// Why this value cannot be a `type`, for the error.
    public func mismatch(_ type: Any.Type) -> DatabaseError {
        let name = column < result.columnCount ? String(cString: PQfname(result.result, Int32(column))) : "?"
        let what = column >= result.columnCount ? "is missing" : isNull ? "is NULL" : "is not a valid value"
        return DatabaseError(message: "row \(row), column \(column) (\(name)) \(what) where \(type) was expected")
    }

    /// The text, or an error when the value is NULL or the column missing.
    func required(_ type: Any.Type) throws -> UnsafePointer<CChar> {
        guard column < result.columnCount, let cString else { throw mismatch(type) }
        return cString
    }
}

/// A Swift type a column's text decodes to.
public protocol ColumnDecodable {
    static func decode(_ value: ColumnValue) throws -> Self
}

extension Optional: ColumnDecodable where Wrapped: ColumnDecodable {
    public static func decode(_ value: ColumnValue) throws -> Self {
        guard value.column < value.result.columnCount else { throw value.mismatch(Wrapped.self) }
        return value.isNull ? nil : try Wrapped.decode(value)
    }
}

extension String: ColumnDecodable {
    public static func decode(_ value: ColumnValue) throws -> String { String(cString: try value.required(String.self)) }
}

extension ColumnValue {
    /// The whole text parsed by a C `strto…` function; an error when it stops short.
    func parsed<T>(_ type: T.Type, _ parse: (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) throws -> T {
        let text = try required(type)
        var end: UnsafeMutablePointer<CChar>?
        errno = 0
        let number = parse(text, &end)
        guard errno != ERANGE || T.self != Int64.self, let end, end != UnsafeMutablePointer(mutating: text), end.pointee == 0 else {
            throw mismatch(type)
        }
        return number
    }
}

extension Int64: ColumnDecodable {
    /// int2, int4 and int8 text, and times as `SQL.micros` gives them.
    public static func decode(_ value: ColumnValue) throws -> Int64 {
        try value.parsed(Int64.self) { Int64(strtoll($0, $1, 10)) }
    }
}

extension Int: ColumnDecodable {
    public static func decode(_ value: ColumnValue) throws -> Int {
        let number = try Int64.decode(value)
        guard let exact = Int(exactly: number) else { throw value.mismatch(Int.self) }
        return exact
    }
}

extension Double: ColumnDecodable {
    /// float4, float8 and numeric text (NaN and ±Infinity as PostgreSQL writes them).
    public static func decode(_ value: ColumnValue) throws -> Double {
        try value.parsed(Double.self) { strtod($0, $1) }
    }
}

extension Float: ColumnDecodable {
    /// `real` columns: read as Float, so the value is exactly the stored one.
    public static func decode(_ value: ColumnValue) throws -> Float {
        try value.parsed(Float.self) { strtof($0, $1) }
    }
}

extension Bool: ColumnDecodable {
    public static func decode(_ value: ColumnValue) throws -> Bool {
        switch try value.required(Bool.self).pointee {
        case 0x74: return true   // "t"
        case 0x66: return false  // "f"
        default: throw value.mismatch(Bool.self)
        }
    }
}
