import ArgumentParser
import PhysioCore
import PhysioData
import PhysioStore
import PhysioPlatform

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load case CSVs into the database the way HTTP ingest stores them (and queue them for scoring).",
        discussion: """
        Case times (t_seconds) are placed after --start; times given as t (RFC 3339, as GET /exports/vitals \
        writes them) are stored as they are. Values a monitor could not report (e.g. 0 °C charting \
        errors) are stored as missing and counted rather than refusing the case. Importing the same files \
        again with the same --start stores nothing twice.
        """)

    @Argument(help: "Case CSV files or directories of them (.csv or .csv.gz).") var paths: [String]
    @Option(help: "Time of t_seconds = 0 (RFC 3339).") var start = "2026-01-01T00:00:00Z"
    @Option(help: "Samples per transaction, as in one ingest request.") var batch = 10_000
    @Option(help: "Prefix for case ids (e.g. mimic-), to keep datasets apart.") var casePrefix = ""
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard Timestamp.parseRFC3339(start) != nil else { throw ValidationError("--start must be RFC 3339, e.g. 2026-01-01T00:00:00Z") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let origin = Timestamp.parseRFC3339(start)!
        let connection = try DatabaseConnection(url: database.url(), applicationName: "physio-import")
        let importer = CaseImporter(samplesPerTransaction: batch)
        var totals = CaseImporter.Result()
        var cases = 0
        print("case_id\tsamples\taccepted\tmerged\tduplicates\tconflicts\tvalues_dropped")
        func line(_ label: String, _ result: CaseImporter.Result) -> String {
            [label, "\(result.samples)", "\(result.accepted)", "\(result.merged)", "\(result.duplicates)", "\(result.conflicts)",
             "\(result.droppedValues)"].joined(separator: "\t")
        }
        for path in paths {
            for raw in try CaseCSV.readCases(at: path, originMicros: origin) {
                let caseID = casePrefix + raw.caseID
                guard CaseID.isValid(caseID) else { throw ValidationError("case id '\(caseID)' must be \(CaseID.rule)") }
                let result = try importer.store(raw.renamed(to: caseID), on: connection)
                print(line(caseID, result))
                cases += 1
                totals = CaseImporter.Result(samples: totals.samples + result.samples, accepted: totals.accepted + result.accepted,
                                             merged: totals.merged + result.merged, duplicates: totals.duplicates + result.duplicates,
                                             conflicts: totals.conflicts + result.conflicts, droppedValues: totals.droppedValues + result.droppedValues)
            }
        }
        print(line("total \(cases) cases", totals))
    }
}
