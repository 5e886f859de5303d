import PhysioCore

/// The API's `cases` table (clinical information, 74 columns, one row per
/// case; times in seconds from `casestart`, which is always 0).
public struct VitalDBCaseTable: Sendable {
    public let table: CSVTable
    /// Case ids in table order.
    public let caseIDs: [Int]
    private let rowByCase: [Int: Int]

    public init(_ table: CSVTable) throws {
        guard let column = table.column("caseid") else {
            throw DataFileError.format("cases table has no caseid column (columns: \(table.header.prefix(8).joined(separator: ",")))")
        }
        var ids: [Int] = []
        var rows: [Int: Int] = [:]
        for (index, row) in table.rows.enumerated() {
            guard let id = Int(row[column]) else { throw DataFileError.format("cases table row \(index + 2): caseid '\(row[column])'") }
            ids.append(id)
            rows[id] = index
        }
        self.table = table
        caseIDs = ids
        rowByCase = rows
    }

    /// A field of a case, nil when the case or column is unknown ("" = empty field).
    public func value(_ column: String, caseID: Int) -> String? {
        guard let row = rowByCase[caseID], let index = table.column(column) else { return nil }
        return table.rows[row][index]
    }

    /// The header and the rows of `caseIDs` (those present), as CSV text.
    public func csv(for caseIDs: [Int]) -> String {
        var text = table.header.map(CSVTable.escape).joined(separator: ",") + "\n"
        for id in caseIDs {
            guard let row = rowByCase[id] else { continue }
            text += table.rows[row].map(CSVTable.escape).joined(separator: ",") + "\n"
        }
        return text
    }
}

/// The API's `trks` table: `caseid,tname,tid` — which tracks each case has
/// ("Solar8000/HR") and the id of each track's own CSV.
public struct VitalDBTrackTable: Sendable {
    public struct Entry: Sendable, Equatable {
        public let caseID: Int
        public let trackName: String
        public let trackID: String
    }

    public let entries: [Entry]
    private let namesByCase: [Int: [String]]

    public init(_ table: CSVTable) throws {
        guard let caseColumn = table.column("caseid"), let nameColumn = table.column("tname"),
              let idColumn = table.column("tid") else {
            throw DataFileError.format("trks table needs columns caseid,tname,tid (found \(table.header.joined(separator: ",")))")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(table.rows.count)
        var names: [Int: [String]] = [:]
        for (index, row) in table.rows.enumerated() {
            guard let id = Int(row[caseColumn]) else { throw DataFileError.format("trks table row \(index + 2): caseid '\(row[caseColumn])'") }
            entries.append(Entry(caseID: id, trackName: row[nameColumn], trackID: row[idColumn]))
            names[id, default: []].append(row[nameColumn])
        }
        self.entries = entries
        namesByCase = names
    }

    /// Case ids in ascending order.
    public var caseIDs: [Int] { namesByCase.keys.sorted() }

    public func trackNames(caseID: Int) -> [String] { namesByCase[caseID] ?? [] }

    /// Cases physio can use: a heart rate and a blood pressure (arterial or
    /// cuff) among the tracks `VitalTrackMap` reads. Ascending.
    public var usableCaseIDs: [Int] {
        func has(_ rules: [(Vital, [String])], _ vital: Vital, in names: [String]) -> Bool {
            let patterns = rules.first { $0.0 == vital }!.1
            return names.contains { name in patterns.contains { VitalTrackMap.matches($0, qualifiedName: name) } }
        }
        return caseIDs.filter { id in
            let names = trackNames(caseID: id)
            return has(VitalTrackMap.plain, .hr, in: names)
                && (has(VitalTrackMap.arterial, .sbp, in: names) || has(VitalTrackMap.cuff, .sbp, in: names))
        }
    }
}

extension CSVTable {
    /// A field as CSV: quoted when it holds a comma, quote or line break.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
