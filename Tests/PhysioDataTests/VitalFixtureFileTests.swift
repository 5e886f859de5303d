import PhysioCore
@testable import PhysioData
import Testing

/// The committed fixture, written by Fixtures/make_vital_fixture.py exactly
/// as `vitaldb.VitalFile.to_vital` packs a file, with the case CSV that
/// `vitaldb`'s own indexing gives for it.
@Suite("VitalDB .vital fixture written by Python")
struct VitalFixtureFileTests {
    let fixtures = testSourceDirectory() + "/Fixtures"

    @Test("converts to exactly the CSV vitaldb's indexing gives")
    func matchesReference() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.file("case_0001.csv")
        let converted = try VitalCaseReader.convert(path: fixtures + "/solar8000_case.vital", caseID: "1", to: output)
        #expect(try readText(output) == (try readText(fixtures + "/solar8000_case.expected.csv")))
        #expect(converted.startMicros == 1_577_836_800_000_000)
        #expect(converted.selection.plain[.etco2]?.qualifiedName == "Solar8000/ETCO2")
        #expect(converted.selection.cuff.isEmpty)
        #expect(directoryEntries(directory.path) == ["case_0001.csv"])   // no temporary file left behind
    }

    @Test("the recording's tracks, devices and wave/string records")
    func recording() throws {
        let recording = try VitalRecording.read(path: fixtures + "/solar8000_case.vital")
        #expect(recording.timeZoneBias == -540)
        #expect(Set(recording.devices.values.map(\.name)) == ["Solar8000", "Primus", "SNUADC"])
        #expect(recording.tracksByName["SNUADC/ART"]?.recordType == .wave)
        #expect(recording.tracksByName["EVENT"]?.recordType == .string)
        #expect(recording.series(named: "Primus/ETCO2")?.count == 60)
        #expect(recording.recordCount == 120 + 1 + 60 * 10 - 5 * 3)
        #expect(!recording.isTruncated)
    }
}
