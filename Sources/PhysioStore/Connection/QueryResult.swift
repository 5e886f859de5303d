import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// Rows of a query in libpq's text format. Freed when released. Decode
/// them with `rows`/`decode` (Row.swift); the positional accessors here
/// return nil for NULL and are for tests and the byte-splicing hot paths.
public final class QueryResult {
    let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }
    deinit { PQclear(result) }

    public var rowCount: Int { Int(PQntuples(result)) }
    public var columnCount: Int { Int(PQnfields(result)) }
    /// Rows touched by INSERT/UPDATE/DELETE/COPY.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }
    /// A column's name, as the query labelled it.
    public func columnName(_ column: Int) -> String { String(cString: PQfname(result, Int32(column))) }
    /// A column's type, as PostgreSQL's type OID (`pg_type.oid`: 1184 timestamptz, 701 float8…).
    public func columnType(_ column: Int) -> UInt32 { UInt32(PQftype(result, Int32(column))) }

    public func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(result, Int32(row), Int32(column)) == 1
    }

    public func string(_ row: Int, _ column: Int) -> String? {
        guard !isNull(row, column) else { return nil }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    public func int(_ row: Int, _ column: Int) -> Int? {
        guard !isNull(row, column) else { return nil }
        return Int(bitPattern: UInt(bitPattern: strtol(PQgetvalue(result, Int32(row), Int32(column)), nil, 10)))
    }

    public func int64(_ row: Int, _ column: Int) -> Int64? {
        int(row, column).map(Int64.init)
    }

    public func double(_ row: Int, _ column: Int) -> Double? {
        guard !isNull(row, column) else { return nil }
        return strtod(PQgetvalue(result, Int32(row), Int32(column)), nil)
    }

    public func float(_ row: Int, _ column: Int) -> Float? {
        guard !isNull(row, column) else { return nil }
        return strtof(PQgetvalue(result, Int32(row), Int32(column)), nil)
    }

    public func bool(_ row: Int, _ column: Int) -> Bool? {
        guard !isNull(row, column) else { return nil }
        return PQgetvalue(result, Int32(row), Int32(column)).pointee == 0x74  // "t"
    }

    /// The raw bytes of a text value, without a String in between.
    public func bytes(_ row: Int, _ column: Int) -> UnsafeBufferPointer<UInt8>? {
        guard !isNull(row, column), let value = PQgetvalue(result, Int32(row), Int32(column)) else { return nil }
        let length = Int(PQgetlength(result, Int32(row), Int32(column)))
        return UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: length)
    }
}
