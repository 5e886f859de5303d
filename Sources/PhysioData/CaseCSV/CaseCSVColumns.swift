import PhysioCore

/// Where a case CSV keeps what, found by name in its header, so that the
/// file need not be written by physio: `case_id`, one time column, and any
/// of the vitals in any order (a vital left out is missing throughout).
/// The time is either `t_seconds` (seconds from the start of the case, as
/// `physio simulate` and ../shared/data write it) or `t` (an RFC 3339
/// instant, as `GET /exports/vitals` writes it and pandas writes it back).
struct CaseCSVColumns {
    enum Time { case seconds, instant }

    let caseID: Int
    let time: Int
    let timeKind: Time
    /// Column index of each vital present.
    let vitals: [(column: Int, vital: Vital)]
    let count: Int

    static let expected = "case_id, t_seconds (or t, an RFC 3339 time) and vitals named " + Vital.allCases.map(\.name).joined(separator: ", ")

    /// The columns of `header`; nil when it names neither a time column nor
    /// a vital (another CSV, such as a directory's feeds.csv or events.csv).
    /// A header that names one of them is meant as a case CSV: one it cannot
    /// read whole (no `case_id`, no time, a column it cannot place) is an
    /// error, not skipped, or its values would be lost without a word.
    static func parse(_ header: String) throws -> CaseCSVColumns? {
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { String(CSVField.unquoted($0.trimmingSpaces)) }
        let times = names.indices.filter { names[$0] == "t_seconds" || names[$0] == "t" }
        guard !times.isEmpty || names.contains(where: { Vital(name: $0) != nil }) else { return nil }
        guard let caseID = names.firstIndex(of: "case_id") else { throw DataFileError.format("no case_id column (expected \(expected))") }
        guard let time = times.first else { throw DataFileError.format("no time column: t_seconds, or t (an RFC 3339 time)") }
        guard times.count == 1 else { throw DataFileError.format("two time columns (t_seconds and t): give one") }
        var vitals: [(column: Int, vital: Vital)] = []
        for (column, name) in names.enumerated() where column != caseID && column != time {
            guard let vital = Vital(name: name) else {
                throw DataFileError.format("unknown column '\(name)' (expected \(expected))")
            }
            guard !vitals.contains(where: { $0.vital == vital }) else { throw DataFileError.format("column \(name) twice") }
            vitals.append((column, vital))
        }
        return CaseCSVColumns(caseID: caseID, time: time, timeKind: names[time] == "t" ? .instant : .seconds,
                              vitals: vitals, count: names.count)
    }
}
