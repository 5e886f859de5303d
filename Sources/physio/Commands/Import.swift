import ArgumentParser
import PhysioCore
import PhysioData
import PhysioStore
import PhysioPlatform

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load case CSVs into the database the way HTTP ingest stores them (and queue them for scoring).",
        discussion: """
        Case times (t_seconds) are placed after --start. Values a monitor could not report (e.g. 0 °C charting \
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
        var totals = (cases: 0, samples: 0, accepted: 0, duplicates: 0, dropped: 0)
        print("case_id\tsamples\taccepted\tduplicates\tvalues_dropped")
        for path in paths {
            for raw in try CaseCSV.readCases(at: path, originMicros: origin) {
                let caseID = casePrefix + raw.caseID
                guard CaseID.isValid(caseID) else { throw ValidationError("case id '\(caseID)' must match [A-Za-z0-9._-]{1,64}") }
                let result = try importer.store(raw.renamed(to: caseID), on: connection)
                print("\(caseID)\t\(result.samples)\t\(result.accepted)\t\(result.duplicates)\t\(result.droppedValues)")
                totals = (totals.cases + 1, totals.samples + result.samples, totals.accepted + result.accepted,
                          totals.duplicates + result.duplicates, totals.dropped + result.droppedValues)
            }
        }
        print("total \(totals.cases) cases\t\(totals.samples)\t\(totals.accepted)\t\(totals.duplicates)\t\(totals.dropped)")
    }
}
