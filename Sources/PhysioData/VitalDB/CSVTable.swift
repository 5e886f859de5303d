/// A CSV table with a header row (RFC 4180: quoted fields may hold commas,
/// doubled quotes and line breaks; CRLF or LF). The VitalDB API serves its
/// tables this way, e.g. `dx` = `"Aneurysm, abdominal aorta"` in `cases`.
public struct CSVTable: Sendable {
    public let header: [String]
    public let rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// Index of a column by name, nil if absent.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// Parses CSV text; gzip'd bytes are decompressed first. Rows shorter than
    /// the header are padded with empty fields; longer rows are an error.
    public static func parse(_ data: [UInt8]) throws -> CSVTable {
        let bytes = Gzip.isGzip(data) ? try Gzip.decompress(data) : data
        var records = try records(bytes)
        guard !records.isEmpty else { throw DataFileError.format("empty CSV table (no header row)") }
        var header = records.removeFirst()
        if let first = header.first, first.hasPrefix("\u{FEFF}") { header[0] = String(first.dropFirst()) }
        for (index, record) in records.enumerated() where record.count > header.count {
            throw DataFileError.format("CSV row \(index + 2) has \(record.count) fields, the header \(header.count)")
        }
        let rows = records.map { $0.count == header.count ? $0 : $0 + Array(repeating: "", count: header.count - $0.count) }
        return CSVTable(header: header, rows: rows)
    }

    private static func records(_ bytes: [UInt8]) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var quoted = false       // inside a quoted field
        var wasQuoted = false    // the current field had quotes (so "" is an empty field, not nothing)
        var index = 0
        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func endRecord() {
            endField()
            if !(record.count == 1 && record[0].isEmpty) { records.append(record) }   // skip blank lines
            record = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == 0x22 {                       // "
                    if index < bytes.count && bytes[index] == 0x22 { field.append(0x22); index += 1 } else { quoted = false }
                } else {
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case 0x22 where field.isEmpty && !wasQuoted: quoted = true; wasQuoted = true
            case 0x2C: endField()                     // ,
            case 0x0A: endRecord()                    // \n
            case 0x0D where index < bytes.count && bytes[index] == 0x0A: break   // \r of \r\n
            default: field.append(byte)
            }
        }
        if quoted { throw DataFileError.format("CSV ends inside a quoted field") }
        if !field.isEmpty || !record.isEmpty || wasQuoted { endRecord() }
        return records
    }
}
