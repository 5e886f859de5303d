import PhysioCore
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// The case-CSV format of ../shared/data and of `physio simulate`:
/// `case_id,t_seconds,hr,sbp,dbp,mbp,spo2,rr,etco2,temp`, an empty field =
/// missing, one file per case (gzip or plain). Times are seconds from the
/// start of the case; they become timestamps `origin + t_seconds`.
public enum CaseCSV {
    public static let header = "case_id,t_seconds," + Vital.allCases.map(\.name).joined(separator: ",")

    /// Cases in a file, each sorted by time with repeated times dropped
    /// (first row wins).
    public static func read(path: String, originMicros: Int64 = 0) throws -> [SampleBatch] {
        let reader = try LineReader(path: path)
        guard let first = try reader.nextLine(), first.trimmingSpaces == header else {
            throw DataFileError.format("\(path): not a case CSV (expected header \(header))")
        }
        var rowsByCase: [String: [(Int64, [Float])]] = [:]
        var order: [String] = []
        var lineNumber = 1
        while let line = try reader.nextLine() {
            lineNumber += 1
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 2 + Vital.count else {
                throw DataFileError.format("\(path):\(lineNumber): expected \(2 + Vital.count) fields, found \(fields.count)")
            }
            let caseID = String(fields[0])
            guard let seconds = Double(fields[1]), seconds.isFinite else {
                throw DataFileError.format("\(path):\(lineNumber): t_seconds '\(fields[1])' is not a number")
            }
            var values = [Float](repeating: .nan, count: Vital.count)
            for vital in Vital.allCases {
                let field = fields[2 + vital.rawValue]
                if field.isEmpty { continue }
                guard let value = Float(field) else {
                    throw DataFileError.format("\(path):\(lineNumber): \(vital.name) '\(field)' is not a number")
                }
                values[vital.rawValue] = value
            }
            if rowsByCase[caseID] == nil { order.append(caseID) }
            rowsByCase[caseID, default: []].append((originMicros + Timestamp.micros(seconds: seconds), values))
        }
        return order.map { caseID in
            var rows = rowsByCase[caseID]!
            rows.sort { $0.0 < $1.0 }
            var batch = SampleBatch(caseID: caseID, reservingCapacity: rows.count)
            var last: Int64?
            for (timestamp, values) in rows where timestamp != last {
                last = timestamp
                let row = batch.appendRow(timestamp: timestamp)
                for vital in Vital.allCases where !values[vital.rawValue].isNaN { batch.set(vital, row: row, to: values[vital.rawValue]) }
            }
            return batch
        }
    }

    /// Every case in `directory` (files ending .csv or .csv.gz whose header
    /// is the case header; other CSVs such as cases.csv are skipped), or the
    /// cases of a single file. Sorted by case id.
    public static func readCases(at path: String, originMicros: Int64 = 0) throws -> [SampleBatch] {
        guard isDirectory(path) else { return try read(path: path, originMicros: originMicros) }
        var cases: [SampleBatch] = []
        for name in try listDirectory(path).sorted() where name.hasSuffix(".csv") || name.hasSuffix(".csv.gz") {
            let file = path.hasSuffix("/") ? path + name : path + "/" + name
            guard let reader = try? LineReader(path: file), let header = try? reader.nextLine(),
                  header.trimmingSpaces == Self.header else { continue }
            cases += try read(path: file, originMicros: originMicros)
        }
        return cases.sorted { $0.caseID < $1.caseID }
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
