import ArgumentParser
import PhysioCore
import PhysioData
import PhysioStore

/// What `physio evaluate` reads from a server's database: the review trail
/// and the reviewed cases' vitals, through the exports' own statements, so
/// that the database and the files `GET /exports/annotations` and
/// `GET /exports/vitals` give the same rows.
struct EvaluationDatabase {
    let connection: DatabaseConnection

    init(url: String) throws {
        connection = try DatabaseConnection(url: url, applicationName: "physio-evaluate")
    }

    /// The CSV a `COPY … TO STDOUT` statement writes.
    func copy(_ sql: String) throws -> [UInt8] {
        try connection.beginCopyOut(sql)
        var bytes: [UInt8] = []
        while try connection.readCopyData(into: &bytes) {}
        return bytes
    }

    /// The whole review trail, as the annotations export writes it.
    func annotations() throws -> [UInt8] {
        try copy(ExportStatements.annotations(caseID: nil, from: nil, to: nil, format: .csv).sql)
    }

    /// Every sample of each case, as the vitals export writes it, read as case CSVs.
    func cases(_ caseIDs: [String]) throws -> [SampleBatch] {
        try caseIDs.flatMap { text -> [SampleBatch] in
            guard let caseID = CaseID(text) else { throw ValidationError("case id '\(text)' in the verdicts is not a valid case id") }
            let csv = try copy(ExportStatements.vitals(caseID: caseID, from: nil, to: nil, order: .stored, format: .csv).sql)
            return try CaseCSV.read(bytes: csv, name: "the database's vitals of \(text)")
        }
    }
}
