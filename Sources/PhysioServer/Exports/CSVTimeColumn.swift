/// Rewrites one CSV column from PostgreSQL's timestamptz text in UTC with
/// DateStyle ISO (`2026-11-24 10:00:00.25+00`, fraction trimmed) to the
/// exports' ISO 8601 (`2026-11-24T10:00:00.250000Z`). Byte shuffling only:
/// `to_char` with the same pattern cost PostgreSQL about four times the
/// plain text output per row, most of an export's time.
/// The fields before the column must be unquoted (case ids are).
struct CSVTimeColumn: CopyRowRewriter {
    let column: Int

    /// Appends `row` to `out` with the column rewritten; a row that does not
    /// have the expected shape (a header) is appended unchanged.
    func append(_ row: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        var start = 0
        for _ in 0..<column {
            guard let comma = row[start...].firstIndex(of: 0x2C) else {
                out.append(contentsOf: row)
                return true
            }
            start = comma + 1
        }
        let end = row[start...].firstIndex(of: 0x2C) ?? row.count
        let prefix = UnsafeBufferPointer(rebasing: row[..<start])
        out.append(contentsOf: prefix)
        if !Self.appendISO(UnsafeBufferPointer(rebasing: row[start..<end]), to: &out) {
            out.removeLast(prefix.count)
            out.append(contentsOf: row)
            return true
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: row[end...]))
        return true
    }

    /// Appends `field` (`YYYY-MM-DD HH:MM:SS[.f{1,6}]+00`) as ISO 8601 with
    /// six fraction digits; false, with nothing appended, for any other text.
    static func appendISO(_ field: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        guard field.count >= 22, field.count <= 29, field[10] == 0x20,
              field[field.count - 3] == 0x2B, field[field.count - 2] == 0x30, field[field.count - 1] == 0x30,
              field.count == 22 || field[19] == 0x2E else {
            return false
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: field[..<10]))
        out.append(0x54)  // T
        out.append(contentsOf: UnsafeBufferPointer(rebasing: field[11..<19]))
        out.append(0x2E)
        let digits = field.count > 22 ? field.count - 23 : 0   // after "SS."
        if digits > 0 { out.append(contentsOf: UnsafeBufferPointer(rebasing: field[20..<(20 + digits)])) }
        for _ in digits..<6 { out.append(0x30) }
        out.append(0x5A)  // Z
        return true
    }
}
