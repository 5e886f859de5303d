import Foundation
@testable import PhysioData
import Testing

/// The first columns of the API's `cases` table, with two real-looking rows
/// (a quoted diagnosis holding a comma, as in the real table).
let casesFixture = """
caseid,subjectid,casestart,caseend,anestart,aneend,opstart,opend,age,sex,dx,aline1
1,5955,0,11542,-552,10848,1668,10368,77,M,Rectal cancer,Left radial
2,2487,0,15741,-1039,14921,1721,14621,54,M,Advanced gastric cancer ,
17,4343,0,20370,-180,20340,3540,19140,85,M,"Aneurysm, abdominal aorta",Right radial

"""

/// The API's `trks` table layout: caseid,tname,tid (tid a 40-hex track id).
let tracksFixture = """
caseid,tname,tid
1,SNUADC/ART,0aa685df768489a18a5e9f53af0d83bf60890c73\r
1,Solar8000/HR,29cef7b8fe2cc84e69fd143da510949b3c271314\r
1,Solar8000/ART_SBP,829134dd331e867598f17d81c1b31f5be85dddec\r
2,Solar8000/HR,eb1e6d9a963d7caab8f00993cd85bf31931b7a32\r
2,Solar8000/NIBP_SBP,d3b01ea0d7080f0d00000000000000000000000a\r
3,BIS/BIS,d3b01ea0d7080f0d00000000000000000000000b\r
17,Solar8000/PLETH_SPO2,d3b01ea0d7080f0d00000000000000000000000c\r

"""

/// The real `cases` table in ../shared/data beside the repository, when this machine has it.
let realClinicalTablePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/vitaldb/clinical_info.csv.gz").path

@Suite("VitalDB API tables")
struct VitalDBTableTests {
    @Test("RFC 4180 CSV: quotes, doubled quotes, line breaks in quotes, CRLF, BOM, gzip")
    func csv() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",\r\n\r\n3,,\"\"\n4"
        for data in [Array(text.utf8), try Gzip.compress(Array(text.utf8))] {
            let table = try CSVTable.parse(data)
            #expect(table.header == ["a", "b", "c"])
            #expect(table.rows == [["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""], ["3", "", ""], ["4", "", ""]])
        }
        #expect(throws: DataFileError.self) { try CSVTable.parse(Array("a,b\n1,2,3\n".utf8)) }
        #expect(throws: DataFileError.self) { try CSVTable.parse(Array("a\n\"open".utf8)) }
        #expect(CSVTable.escape("Aneurysm, abdominal aorta") == "\"Aneurysm, abdominal aorta\"")
        #expect(CSVTable.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
    }

    @Test("the cases table: case ids, fields, and the rows of some cases written back")
    func cases() throws {
        let table = try VitalDBCaseTable(try CSVTable.parse(try Gzip.compress(Array(casesFixture.utf8))))
        #expect(table.caseIDs == [1, 2, 17])
        #expect(table.value("opstart", caseID: 1) == "1668")
        #expect(table.value("dx", caseID: 17) == "Aneurysm, abdominal aorta")
        #expect(table.value("aline1", caseID: 2) == "")
        #expect(table.value("opstart", caseID: 99) == nil)
        let subset = try VitalDBCaseTable(try CSVTable.parse(Array(table.csv(for: [17, 1, 99]).utf8)))
        #expect(subset.caseIDs == [17, 1])
        #expect(subset.value("dx", caseID: 17) == "Aneurysm, abdominal aorta")
        #expect(throws: DataFileError.self) { try VitalDBCaseTable(try CSVTable.parse(Array("id,x\n1,2\n".utf8))) }
    }

    @Test("the trks table: tracks per case and the cases physio can use")
    func tracks() throws {
        let table = try VitalDBTrackTable(try CSVTable.parse(try Gzip.compress(Array(tracksFixture.utf8))))
        #expect(table.entries.count == 7)
        #expect(table.entries[1] == .init(caseID: 1, trackName: "Solar8000/HR", trackID: "29cef7b8fe2cc84e69fd143da510949b3c271314"))
        #expect(table.caseIDs == [1, 2, 3, 17])
        #expect(table.trackNames(caseID: 2) == ["Solar8000/HR", "Solar8000/NIBP_SBP"])
        #expect(table.usableCaseIDs == [1, 2])   // 3: no HR; 17: no pressure
    }

    @Test("a random pick is a fixed function of the seed")
    func randomPick() {
        let candidates = Array(1...500)
        let first = VitalDBFetcher.pick(5, from: candidates, seed: 42)
        #expect(first == VitalDBFetcher.pick(5, from: candidates.reversed(), seed: 42))
        #expect(first.count == 5 && Set(first).count == 5 && first == first.sorted())
        #expect(first != VitalDBFetcher.pick(5, from: candidates, seed: 43))
        #expect(VitalDBFetcher.pick(10, from: [3, 1, 2], seed: 1) == [1, 2, 3])
    }

    @Test("endpoints follow the API's URL patterns")
    func endpoints() {
        let api = VitalDBEndpoints()
        #expect(api.cases == "https://api.vitaldb.net/cases")
        #expect(api.tracks == "https://api.vitaldb.net/trks")
        #expect(api.vitalFile(caseID: 1) == "https://api.vitaldb.net/0001.vital")
        #expect(api.vitalFile(caseID: 6388) == "https://api.vitaldb.net/6388.vital")
        #expect(api.host == "api.vitaldb.net")
        #expect(VitalDBEndpoints(baseURL: "http://127.0.0.1:8000/").vitalFile(caseID: 12) == "http://127.0.0.1:8000/0012.vital")
    }

    @Test("the real clinical table (../shared/data) parses: 6,388 cases × 74 columns",
          .enabled(if: AtomicFile.exists(realClinicalTablePath), "skipped: \(realClinicalTablePath) is not on this machine"))
    func realClinicalTable() throws {
        let table = try VitalDBCaseTable(try CSVTable.parse(try LineReader.readAll(path: realClinicalTablePath)))
        #expect(table.caseIDs.count == 6388)
        #expect(table.table.header.count == 74)
        #expect(table.value("opstart", caseID: 1) == "1668")
        #expect(table.value("aline1", caseID: 1) == "Left radial")
        #expect(table.value("dx", caseID: 17) == "Aneurysm, abdominal aorta")
    }
}
