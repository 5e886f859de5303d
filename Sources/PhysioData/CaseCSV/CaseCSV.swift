import PhysioCore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The case-CSV format of ../shared/data and of `physio simulate`:
/// `case_id,t_seconds,hr,sbp,dbp,mbp,spo2,rr,etco2,temp`, an empty field =
/// missing, one file per case (gzip or plain). Times are seconds from the
/// start of the case; they become timestamps `origin + t_seconds`. Columns
/// are found by name (`CaseCSVColumns`): any order, any subset of the
/// vitals, and `t` (an RFC 3339 instant, as `GET /exports/vitals` writes
/// it, or PostgreSQL's timestamptz text) instead of `t_seconds`; such times
/// are absolute and ignore the origin.
public enum CaseCSV {
    public static let header = "case_id,t_seconds," + Vital.allCases.map(\.name).joined(separator: ",")

    /// Cases in a file, each sorted by time. Rows at one time are merged as
    /// ingest merges them (docs/design.md): a later row fills the vitals
    /// still empty (a monitor sending one parameter per row), and for a
    /// vital already set the first value stands.
    public static func read(path: String, originMicros: Int64 = 0) throws -> [SampleBatch] {
        let reader = try LineReader(path: path)
        guard let first = try reader.nextLine(), let columns = try Self.columns(first, path: path) else {
            throw DataFileError.format("\(path): not a case CSV (expected \(CaseCSVColumns.expected))")
        }
        return try rows(reader.nextLine, columns: columns, path: path, originMicros: originMicros)
            .map { batch($0.caseID, rows: $0.rows, source: path) }
    }

    /// Cases in a case CSV held in memory (e.g. a `COPY` of the vitals export); `name` names it in errors.
    public static func read(bytes: [UInt8], name: String, originMicros: Int64 = 0) throws -> [SampleBatch] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).makeIterator()
        let next = { () -> String? in
            guard var line = lines.next() else { return nil }
            if line.last == 0x0D { line = line.dropLast() }
            return String(decoding: line, as: UTF8.self)
        }
        guard let first = next(), let columns = try Self.columns(first, path: name) else {
            throw DataFileError.format("\(name): not a case CSV (expected \(CaseCSVColumns.expected))")
        }
        return try rows(next, columns: columns, path: name, originMicros: originMicros)
            .map { batch($0.caseID, rows: $0.rows, source: name) }
    }

    /// The columns of a header line, errors naming `path`.
    static func columns(_ header: String, path: String) throws -> CaseCSVColumns? {
        do {
            return try CaseCSVColumns.parse(header)
        } catch let error as DataFileError {
            throw DataFileError.format("\(path):1: \(error)")
        }
    }

    /// One case's rows as a file gives them: (time, a value per vital, NaN = not sent).
    typealias Rows = [(Int64, [Float])]

    /// The rows of each case in a file, in file order, cases in order of appearance.
    static func rows(_ nextLine: () throws -> String?, columns: CaseCSVColumns, path: String,
                     originMicros: Int64) throws -> [(caseID: String, rows: Rows)] {
        var rowsByCase: [String: Rows] = [:]
        var order: [String] = []
        var lineNumber = 1
        while let line = try nextLine() {
            lineNumber += 1
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columns.count else {
                throw DataFileError.format("\(path):\(lineNumber): expected \(columns.count) fields, found \(fields.count)")
            }
            let caseID = String(CSVField.unquoted(fields[columns.caseID]))
            let time = CSVField.unquoted(fields[columns.time])
            let timestamp: Int64
            switch columns.timeKind {
            case .seconds:
                guard let seconds = Double(time), seconds.isFinite else {
                    throw DataFileError.format("\(path):\(lineNumber): t_seconds '\(time)' is not a number")
                }
                timestamp = originMicros + Timestamp.micros(seconds: seconds)
            case .instant:
                guard let instant = Self.instant(time) else {
                    throw DataFileError.format("\(path):\(lineNumber): t '\(time)' is not an RFC 3339 time")
                }
                timestamp = instant
            }
            var values = [Float](repeating: .nan, count: Vital.count)
            for (column, vital) in columns.vitals {
                let field = CSVField.unquoted(fields[column])
                if CSVField.isMissing(field) { continue }
                guard let value = Float(field) else {
                    throw DataFileError.format("\(path):\(lineNumber): \(vital.name) '\(field)' is not a number")
                }
                values[vital.rawValue] = value
            }
            if rowsByCase[caseID] == nil { order.append(caseID) }
            rowsByCase[caseID, default: []].append((timestamp, values))
        }
        return order.map { ($0, rowsByCase[$0]!) }
    }

    /// One case from its rows in file order: sorted by time, rows at one time
    /// merged as ingest merges them; `source` names the file(s) in a warning.
    static func batch(_ caseID: String, rows unsorted: Rows, source: String) -> SampleBatch {
        // Sorted by time, then by line, so "first" means first in the file.
        let rows = unsorted.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
        var batch = SampleBatch(caseID: caseID, reservingCapacity: rows.count)
        var last: Int64?
        var conflicts = 0
        for (_, (timestamp, values)) in rows {
            if timestamp != last { _ = batch.appendRow(timestamp: timestamp) }
            last = timestamp
            let row = batch.count - 1
            for vital in Vital.allCases where !values[vital.rawValue].isNaN {
                if let stored = batch.value(vital, row: row) {
                    if stored != values[vital.rawValue] { conflicts += 1 }
                } else {
                    batch.set(vital, row: row, to: values[vital.rawValue])
                }
            }
        }
        if conflicts > 0 {
            Log.warning("case CSV: values at a repeated time differ; the first in the file stands",
                        ["file": .string(source), "case_id": .string(caseID), "conflicts": .int(conflicts)])
        }
        return batch
    }

    /// An RFC 3339 time, or PostgreSQL's timestamptz text, whose offset is
    /// hours alone (`2026-11-24 10:00:00.25+00`, as psql's `\copy` writes it).
    static func instant(_ text: Substring) -> Int64? {
        if let instant = Timestamp.parseRFC3339(text) { return instant }
        let offset = text.suffix(3)
        guard offset.count == 3, offset.first == "+" || offset.first == "-", offset.dropFirst().allSatisfy(\.isNumber) else { return nil }
        return Timestamp.parseRFC3339(text + ":00")
    }

    /// Every case in `directory` (files ending .csv or .csv.gz whose header
    /// names a time column or a vital; other CSVs such as cases.csv are
    /// skipped), or the cases of a single file. Sorted by case id. A case
    /// whose rows are in several files (one per vital, one per hour) is one
    /// case, its rows merged in the order of the files' names.
    public static func readCases(at path: String, originMicros: Int64 = 0) throws -> [SampleBatch] {
        guard isDirectory(path) else { return try read(path: path, originMicros: originMicros) }
        var rowsByCase: [String: Rows] = [:]
        for name in try listDirectory(path).sorted() where name.hasSuffix(".csv") || name.hasSuffix(".csv.gz") {
            let file = path.hasSuffix("/") ? path + name : path + "/" + name
            guard let reader = try? LineReader(path: file), let header = try? reader.nextLine(),
                  let columns = try Self.columns(header, path: file) else { continue }
            for (caseID, rows) in try rows(reader.nextLine, columns: columns, path: file, originMicros: originMicros) {
                rowsByCase[caseID, default: []] += rows
            }
        }
        return rowsByCase.keys.sorted().map { batch($0, rows: rowsByCase[$0]!, source: path) }
    }

    /// Writes one case; `originMicros` is subtracted to give t_seconds.
    public static func write(_ batch: SampleBatch, to path: String, originMicros: Int64 = 0) throws {
        let writer = try TextWriter(path: path)
        defer { writer.close() }
        writer.write(header + "\n")
        var text = ""
        for row in 0..<batch.count {
            let micros = batch.timestamps[row] - originMicros
            text += batch.caseID + "," + Timestamp.secondsText(micros)
            for vital in Vital.allCases {
                text += ","
                if let value = batch.value(vital, row: row) { text += formatValue(value) }
            }
            text += "\n"
            if text.utf8.count > 1 << 16 { writer.write(text); text = "" }
        }
        writer.write(text)
    }

    static func formatValue(_ value: Float) -> String {
        value == value.rounded() && abs(value) < 1e7 ? String(Int(value)) : String(value)
    }
}

public func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

public func listDirectory(_ path: String) throws -> [String] {
    guard let directory = opendir(path) else { throw DataFileError.cannotOpen(path) }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

extension StringProtocol {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\u{FEFF}" { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
