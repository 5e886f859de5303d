import ArgumentParser
import PhysioClient
import PhysioCore
import PhysioData
import PhysioPlatform

struct HL7Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Write recorded cases as HL7 v2.6 ORU^R01 messages (IHE PCD-01 style), one per sample row, for `physio hl7 send`.",
        discussion: """
            Each row becomes one message: the case id in PV1-19 (and PID-3), the row's time in OBR-7 and OBX-14 (UTC, \
            to the microsecond), each reported vital as an OBX with its MDC code and unit (docs/hl7.md). Times keep \
            the recording's spacing from --start (default: now). Control ids (MSH-10) are the case id and the row's \
            number, so sending the file twice stores it once.
            """)

    @Argument(help: "Case CSV files (or directories of them).") var paths: [String]
    @Option(help: "Write the messages to this file (segments end with CR, one message after another).") var out: String
    @Option(help: "Time of the first sample, RFC 3339 or 'now'.") var start = "now"
    @Option(help: "Prefix for case ids.") var casePrefix = ""
    @Option(help: "MSH-3, the sending application.") var sender = "physio-hl7-encode"

    func validate() throws {
        guard start == "now" || Timestamp.parseRFC3339(start) != nil else { throw ValidationError("--start must be RFC 3339 or now") }
        guard !sender.isEmpty, !sender.contains(where: { "|^~\\&\r\n".contains($0) }) else {
            throw ValidationError("--sender must be non-empty text without HL7 delimiters")
        }
    }

    func run() throws {
        let startMicros = start == "now" ? Clock.nowMicros() / 1_000_000 * 1_000_000 : Timestamp.parseRFC3339(start)!
        let cases = try paths.flatMap { try CaseCSV.readCases(at: $0) }.map { raw in
            raw.renamed(to: casePrefix + raw.caseID).droppingUnreportableValues().batch.droppingEmptyRows()
        }
        guard !cases.isEmpty else { throw ValidationError("no cases in \(paths.joined(separator: " "))") }
        let file = try TextWriter(path: out)
        defer { file.close() }
        var written = 0
        for series in cases {
            guard CaseID.isValid(series.caseID) else { throw ValidationError("'\(series.caseID)' is not a valid case id") }
            guard let first = series.timestamps.first else { continue }
            for row in 0..<series.count {
                let values = Vital.allCases.compactMap { vital in series.value(vital, row: row).map { (vital, $0) } }
                let message = ObservationReportWriter.message(
                    sender: sender, controlID: "\(series.caseID)-\(row + 1)", caseID: series.caseID,
                    micros: startMicros + series.timestamps[row] - first, values: values)
                file.write(String(decoding: message, as: UTF8.self))
                written += 1
            }
        }
        print("\(written) messages from \(cases.count) cases in \(out)")
    }
}
