import PhysioCore
import PhysioPlatform
@testable import PhysioData
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real Vital Recorder files of a Philips IntelliVue (Fixtures/parse-vital,
/// MIT licence): the tracks physio maps, and the values it reads for them
/// against what the `vitaldb` Python library reads from the same file.
@Suite("IntelliVue .vital files from parse-vital")
struct VitalIntelliVueFileTests {
    static let fixtures = testSourceDirectory() + "/Fixtures/parse-vital/"
    static let files = ["intellivue_demo1.vital", "intellivue_demo3.vital"]

    @Test("the IntelliVue tracks physio maps", arguments: files)
    func selection(file: String) throws {
        let converted = try VitalCaseReader.read(path: Self.fixtures + file, caseID: "1")
        let selection = converted.selection
        #expect(selection.plain[.hr]?.qualifiedName == "Intellivue/ECG_HR")
        #expect(selection.plain[.spo2]?.qualifiedName == "Intellivue/PLETH_SAT_O2")
        #expect(selection.plain[.rr]?.qualifiedName == "Intellivue/RR", "the monitor has no capnograph: its impedance rate")
        #expect(selection.arterial.mapValues(\.qualifiedName) == [.sbp: "Intellivue/ABP_SYS", .dbp: "Intellivue/ABP_DIA", .mbp: "Intellivue/ABP_MEAN"])
        #expect(selection.cuff.mapValues(\.qualifiedName) == [.sbp: "Intellivue/NIBP_SYS", .dbp: "Intellivue/NIBP_DIA", .mbp: "Intellivue/NIBP_MEAN"])
        #expect(selection.plain[.etco2] == nil && selection.plain[.temp] == nil)
        #expect(!converted.isTruncated && converted.batch.count > 20)
    }

    /// Second by second, every mapped vital equals the value vitaldb gives
    /// its track (`to_numpy(tracks, interval=1)`), and is missing where
    /// vitaldb has none; pressures are the arterial line's wherever it reads.
    @Test("values agree with the vitaldb library", .enabled(if: getenv("PHYSIO_TEST_PYTHON") != nil,
          "PHYSIO_TEST_PYTHON (a python with vitaldb) is not set: run scripts/test"), arguments: files)
    func agreesWithVitalDB(file: String) throws {
        let path = Self.fixtures + file
        let converted = try VitalCaseReader.read(path: path, caseID: "1")
        let columns: [(Vital, VitalTrack?)] = [(.hr, converted.selection.plain[.hr]), (.spo2, converted.selection.plain[.spo2]),
                                               (.rr, converted.selection.plain[.rr]), (.sbp, converted.selection.arterial[.sbp]),
                                               (.dbp, converted.selection.arterial[.dbp]), (.mbp, converted.selection.arterial[.mbp])]
        let tracks = columns.map { $0.1?.qualifiedName ?? "missing" }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let python = String(cString: getenv("PHYSIO_TEST_PYTHON"))
        let command = "'\(python)' '\(Self.fixtures)vitaldb_reference.py' '\(path)' \(tracks.map { "'\($0)'" }.joined(separator: " "))"
        #expect(system(command + " > '\(directory.file("vitaldb.csv"))' 2>&1") == 0)
        let output = try readText(directory.file("vitaldb.csv"))
        var physio: [Int64: Int] = [:]
        for row in 0..<converted.batch.count {
            physio[(converted.batch.timestamps[row] - converted.startMicros) / Timestamp.microsPerSecond] = row
        }
        var compared = 0
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let second = try #require(Int64(fields[0]))
            let row = try #require(physio[second], "second \(second): vitaldb has values, physio has no row")
            for (index, (vital, _)) in columns.enumerated() {
                let expected = Double(fields[index + 1]).map(Float.init)
                let actual = converted.batch.value(vital, row: row)
                if vital == .sbp || vital == .dbp || vital == .mbp, expected == nil { continue }  // the cuff may fill it
                #expect(actual == expected, "second \(second) \(vital.name): physio \(String(describing: actual)), vitaldb \(String(describing: expected))")
                compared += 1
            }
        }
        #expect(compared >= 20 * columns.count, "\(output)")
        #expect(physio.count == output.split(separator: "\n").count, "physio has rows vitaldb has no value for")
    }
}
