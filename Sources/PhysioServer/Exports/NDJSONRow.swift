import PhysioStore

/// Turns one row of PostgreSQL's CSV COPY output (no header) into one NDJSON
/// line. Building the JSON in PostgreSQL instead (`json_build_object`, and
/// `to_char` for the time) made a 10M-row export five times slower than
/// the CSV one, all of it in the one backend.
/// Times are written as ISO 8601 (CSVTimeColumn.appendISO); numbers as
/// they are when they are JSON numbers, NaN and infinities as strings, as
/// PostgreSQL's JSON does; lists as arrays of strings.
struct NDJSONRow: CopyRowRewriter {
    typealias Kind = ExportStatements.ColumnKind

    private let keys: [[UInt8]]
    private let kinds: [Kind]
    private static let null = Array("null".utf8), yes = Array("true".utf8), no = Array("false".utf8)
    private static let hex = Array("0123456789abcdef".utf8)

    init(_ columns: [(name: String, kind: Kind)]) {
        keys = columns.enumerated().map { index, column in Array(((index == 0 ? "{" : ",") + "\"\(column.name)\":").utf8) }
        kinds = columns.map(\.kind)
    }

    func append(_ row: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        var end = row.count
        if end > 0 && row[end - 1] == 0x0A { end -= 1 }
        let mark = out.count
        var position = 0
        var unquoted: [UInt8] = []
        for (column, kind) in kinds.enumerated() {
            if column > 0 {
                guard position < end, row[position] == 0x2C else { out.removeSubrange(mark...); return false }
                position += 1
            }
            out.append(contentsOf: keys[column])
            if position < end && row[position] == 0x22 {
                // RFC 4180 quoting: "" inside is one quote. PostgreSQL quotes
                // empty strings (so they differ from NULL) and special characters.
                unquoted.removeAll(keepingCapacity: true)
                position += 1
                while true {
                    guard position < end else { out.removeSubrange(mark...); return false }
                    if row[position] == 0x22 {
                        if position + 1 < end && row[position + 1] == 0x22 {
                            unquoted.append(0x22)
                            position += 2
                            continue
                        }
                        position += 1
                        break
                    }
                    unquoted.append(row[position])
                    position += 1
                }
                unquoted.withUnsafeBufferPointer { Self.appendValue($0, kind: kind, isNull: false, to: &out) }
            } else {
                var comma = position
                while comma < end && row[comma] != 0x2C { comma += 1 }
                let field = UnsafeBufferPointer(rebasing: row[position..<comma])
                Self.appendValue(field, kind: kind, isNull: field.isEmpty, to: &out)
                position = comma
            }
        }
        guard position == end else { out.removeSubrange(mark...); return false }
        out.append(0x7D)  // }
        out.append(0x0A)
        return true
    }

    private static func appendValue(_ field: UnsafeBufferPointer<UInt8>, kind: Kind, isNull: Bool, to out: inout [UInt8]) {
        if isNull { return out.append(contentsOf: null) }
        switch kind {
        case .string:
            appendString(field, to: &out)
        case .time:
            out.append(0x22)
            if !CSVTimeColumn.appendISO(field, to: &out) { appendEscaped(field, to: &out) }
            out.append(0x22)
        case .number:
            if isJSONNumber(field) { out.append(contentsOf: field) } else { appendString(field, to: &out) }
        case .boolean:
            if field.elementsEqual(Self.yes) { out.append(contentsOf: Self.yes) }
            else if field.elementsEqual(Self.no) { out.append(contentsOf: Self.no) }
            else { appendString(field, to: &out) }
        case .list:
            out.append(0x5B)  // [
            if !field.isEmpty {
                var start = 0
                for index in 0...field.count where index == field.count || field[index] == 0x3B {
                    if start > 0 { out.append(0x2C) }
                    appendString(UnsafeBufferPointer(rebasing: field[start..<index]), to: &out)
                    start = index + 1
                }
            }
            out.append(0x5D)  // ]
        }
    }

    private static func appendString(_ field: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        appendEscaped(field, to: &out)
        out.append(0x22)
    }

    /// JSON string escaping; UTF-8 passes through.
    private static func appendEscaped(_ field: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for byte in field {
            switch byte {
            case 0x22, 0x5C:
                out.append(0x5C)
                out.append(byte)
            case 0..<0x20:
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])  // \u00XX
            default:
                out.append(byte)
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    static func isJSONNumber(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < text.count && text[index] >= 0x30 && text[index] <= 0x39 { index += 1 }
            return index - start
        }
        if index < text.count && text[index] == 0x2D { index += 1 }
        guard index < text.count else { return false }
        if text[index] == 0x30 { index += 1 } else if digits() == 0 { return false }
        if index < text.count && text[index] == 0x2E {
            index += 1
            if digits() == 0 { return false }
        }
        if index < text.count && (text[index] == 0x65 || text[index] == 0x45) {
            index += 1
            if index < text.count && (text[index] == 0x2B || text[index] == 0x2D) { index += 1 }
            if digits() == 0 { return false }
        }
        return index == text.count
    }
}
