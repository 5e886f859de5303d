import PhysioCore
import PhysioData
import PhysioPlatform
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Case CSVs found by their column names: physio's own, the vitals export
/// (`t` as an RFC 3339 time) and what other tools write (any column order,
/// some vitals only); a column that cannot be placed is an error, never dropped.
struct CaseCSVTests {
    /// Writes `text` to a fresh directory as `name`; returns the directory.
    static func directory(_ files: [String: String]) throws -> String {
        var template = Array("/tmp/physio-casecsv-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw DataFileError.cannotOpen("mkdtemp") }
        let path = String(cString: made)
        for (name, text) in files { try AtomicFile.write(Array(text.utf8), to: path + "/" + name) }
        return path
    }

    static func remove(_ path: String) {
        for name in (try? listDirectory(path)) ?? [] { unlink(path + "/" + name) }
        rmdir(path)
    }

    @Test func theVitalsExportReadsWithItsOwnTimesAndTheOriginIgnored() throws {
        let path = try Self.directory(["export.csv": """
            case_id,t,hr,sbp,dbp,mbp,spo2,rr,etco2,temp
            or-7,2026-11-24T10:00:01.500000Z,72,,,,98,,,
            or-7,2026-11-24T10:00:00.000000Z,71,118,62,80,97,,,
            """])
        defer { Self.remove(path) }
        let cases = try CaseCSV.readCases(at: path, originMicros: 1_000_000)
        let start = Timestamp.parseRFC3339("2026-11-24T10:00:00Z")!
        #expect(cases.count == 1 && cases[0].caseID == "or-7")
        #expect(cases[0].timestamps == [start, start + 1_500_000], "sorted, absolute")
        #expect(cases[0].value(.mbp, row: 0) == 80 && cases[0].value(.hr, row: 1) == 72 && cases[0].value(.sbp, row: 1) == nil)
    }

    @Test func columnsAreFoundByNameInAnyOrderAndAVitalLeftOutIsMissing() throws {
        // As pandas writes the export back: reordered, a space before the offset, some vitals only.
        let path = try Self.directory(["pandas.csv": """
            mbp,t,case_id,hr
            80.0,2026-11-24 10:00:00+00:00,or-7,71.0
            ,2026-11-24 11:00:02.250000+01:00,or-7,72.0
            """, "psql.csv": "case_id,t,hr\nor-8,2026-11-24 10:00:00.25+00,70\nor-8,2026-11-24 09:00:01-01,71\n", "seconds.csv": "t_seconds,case_id,spo2\n0,sim-1,97\n2.5,sim-1,96\n"])
        defer { Self.remove(path) }
        let cases = try CaseCSV.readCases(at: path, originMicros: 1_000_000)
        let start = Timestamp.parseRFC3339("2026-11-24T10:00:00Z")!
        #expect(cases.map(\.caseID) == ["or-7", "or-8", "sim-1"])
        #expect(cases[1].timestamps == [start + 250_000, start + 1_000_000], "PostgreSQL's timestamptz text, as psql's \\copy writes it")
        #expect(cases[0].timestamps == [start, start + 2_250_000], "11:00:02.25+01:00 is 10:00:02.25Z")
        #expect(cases[0].value(.mbp, row: 0) == 80 && cases[0].value(.mbp, row: 1) == nil && cases[0].value(.hr, row: 1) == 72)
        #expect(cases[0].value(.spo2, row: 0) == nil, "no spo2 column: missing")
        #expect(cases[2].timestamps == [1_000_000, 3_500_000], "t_seconds from the origin")
    }

    @Test func otherCSVsBesideTheCasesAreSkippedButAColumnItCannotPlaceIsAnError() throws {
        let path = try Self.directory([
            "case.csv": CaseCSV.header + "\nsim-1,0,80,,,,98,,,\n",
            "feeds.csv": "case_id,feed\nsim-1,hr_spo2\n",
            "events.csv": "case_id,event,onset_t_seconds,peak_t_seconds,end_t_seconds\nsim-1,bleed,1,2,3\n",
        ])
        defer { Self.remove(path) }
        #expect(try CaseCSV.readCases(at: path).map(\.caseID) == ["sim-1"])

        // pandas' index written by mistake, or a vital under another name: refused, naming the column.
        try AtomicFile.write(Array(",case_id,t_seconds,hr\n0,sim-2,0,80\n".utf8), to: path + "/indexed.csv")
        #expect { try CaseCSV.readCases(at: path) } throws: { error in
            "\(error)" == "\(path)/indexed.csv:1: unknown column '' (expected \(CaseCSVTests.expected))"
        }
        unlink(path + "/indexed.csv")
        try AtomicFile.write(Array("case_id,t,heart_rate\nor-1,2026-11-24T10:00:00Z,80\n".utf8), to: path + "/named.csv")
        #expect { try CaseCSV.readCases(at: path + "/named.csv") } throws: { "\($0)".contains("unknown column 'heart_rate'") }
        // Meant as a case CSV (a vital or a time column), but not readable whole: an error in a directory too.
        try AtomicFile.write(Array("case_id,time,hr\nor-1,0,80\n".utf8), to: path + "/named.csv")
        #expect { try CaseCSV.readCases(at: path) } throws: { "\($0)" == "\(path)/named.csv:1: no time column: t_seconds, or t (an RFC 3339 time)" }
        try AtomicFile.write(Array("t_seconds,hr\n0,80\n".utf8), to: path + "/named.csv")
        #expect { try CaseCSV.readCases(at: path) } throws: { "\($0)".contains("named.csv:1: no case_id column") }
        try AtomicFile.write(Array("case_id,t,t_seconds,hr\n".utf8), to: path + "/named.csv")
        #expect { try CaseCSV.readCases(at: path + "/named.csv") } throws: { "\($0)".contains("two time columns") }
        try AtomicFile.write(Array("case_id,t,hr\nor-1,24/11/2026 10:00,80\n".utf8), to: path + "/named.csv")
        #expect { try CaseCSV.readCases(at: path + "/named.csv") } throws: { "\($0)".contains(":2: t '24/11/2026 10:00' is not an RFC 3339 time") }
        unlink(path + "/named.csv")
        // Named as a single file, a CSV with no time column is refused rather than read as no cases.
        #expect { try CaseCSV.readCases(at: path + "/feeds.csv") } throws: { "\($0)".contains("not a case CSV") }
    }

    /// A monitor sending one parameter per row writes several rows at one
    /// time: they merge as ingest merges them (empty vitals filled, the
    /// first value standing), whichever row comes first and wherever it is.
    @Test func rowsAtOneTimeMergeAsIngestMergesThem() throws {
        let path = try Self.directory(["split.csv": """
            case_id,t_seconds,hr,mbp,spo2
            or-1,1,72,,
            or-1,0,70,,
            or-1,1,,55,
            or-1,0,,85,
            or-1,1,,,97
            or-1,0,71,,98
            or-1,1,75,56,
            """])
        defer { Self.remove(path) }
        let cases = try CaseCSV.readCases(at: path)
        #expect(cases.count == 1 && cases[0].timestamps == [0, 1_000_000])
        let rows = (0..<2).map { row in [Vital.hr, .mbp, .spo2].map { cases[0].value($0, row: row) } }
        #expect(rows[0] == [70, 85, 98], "HR 71 later at the same time does not replace 70")
        #expect(rows[1] == [72, 55, 97], "the second row's MAP is kept; the last row's HR 75 and MAP 56 do not replace the first")
    }

    /// A case written as one file per vital is one case, its rows merged in
    /// the order of the files' names.
    @Test func aCaseInSeveralFilesIsOneCase() throws {
        let path = try Self.directory([
            "or-1-hr.csv": "case_id,t_seconds,hr\nor-1,0,72\nor-1,1,73\n",
            "or-1-map.csv": "case_id,t_seconds,mbp,hr\nor-1,1,55,99\nor-1,2,54,\n",
        ])
        defer { Self.remove(path) }
        let cases = try CaseCSV.readCases(at: path)
        #expect(cases.count == 1 && cases[0].timestamps == [0, 1_000_000, 2_000_000])
        #expect((0..<3).map { cases[0].value(.hr, row: $0) } == [72, 73, nil], "the first file's HR stands at 1 s")
        #expect((0..<3).map { cases[0].value(.mbp, row: $0) } == [nil, 55, 54])
    }

    /// R's `write.csv` quotes the header's names and every text field and
    /// writes NA; pandas may write NaN or its `na_rep`: all read as the
    /// values and missing vitals they mean, not skipped as "not a case CSV".
    @Test func whatRAndPandasWriteReads() throws {
        let path = try Self.directory([
            "r.csv": "\"case_id\",\"t_seconds\",\"hr\",\"mbp\"\r\n\"or-1\",0,72,NA\r\n\"or-1\",1,NA,80\r\n",
            "pandas.csv": "case_id,t_seconds,hr,mbp\nor-2,0,71.0,NaN\nor-2,1,<NA>,null\nor-2,2,\"70\",N/A\n",
        ])
        defer { Self.remove(path) }
        let cases = try CaseCSV.readCases(at: path)
        #expect(cases.map(\.caseID) == ["or-1", "or-2"])
        #expect(cases[0].timestamps == [0, 1_000_000])
        #expect(cases[0].value(.hr, row: 0) == 72 && cases[0].value(.mbp, row: 0) == nil)
        #expect(cases[0].value(.hr, row: 1) == nil && cases[0].value(.mbp, row: 1) == 80)
        #expect((0..<3).map { cases[1].value(.hr, row: $0) } == [71, nil, 70])
        #expect((0..<3).allSatisfy { cases[1].value(.mbp, row: $0) == nil })
        // Anything else that is no number is still an error naming the line.
        try AtomicFile.write(Array("case_id,t_seconds,hr\nor-3,0,seventy\n".utf8), to: path + "/words.csv")
        #expect { try CaseCSV.readCases(at: path) } throws: { "\($0)".contains("words.csv:2: hr 'seventy' is not a number") }
    }

    static let expected = "case_id, t_seconds (or t, an RFC 3339 time) and vitals named hr, sbp, dbp, mbp, spo2, rr, etco2, temp"
}
