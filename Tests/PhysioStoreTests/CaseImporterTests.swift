import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct CaseImporterTests {
    @Test func importsInPiecesDropsUnreportableValuesAndIsIdempotent() throws {
        let database = try TestDatabase.create()
        var series = TestModels.calmCase("chart-1", start: 1_767_225_600, seconds: 25)
        series.set(.temp, row: 3, to: 0)      // a charting error: 0 °C
        series.set(.sbp, row: 4, to: 900)     // and an impossible pressure
        let importer = CaseImporter(samplesPerTransaction: 10)
        let first = try importer.store(series, on: database.connect())
        #expect(first == CaseImporter.Result(samples: 25, accepted: 25, duplicates: 0, droppedValues: 2))
        #expect(try database.count("SELECT count(*) FROM inference_jobs WHERE case_id = 'chart-1'") == 3)
        #expect(try database.count("SELECT count(*) FROM vitals WHERE temp IS NOT NULL OR sbp > 400") == 0)
        let again = try importer.store(series, on: database.connect())
        #expect(again.accepted == 0 && again.duplicates == 25)
        #expect(try database.count("SELECT count(*) FROM vitals") == 25)
    }

    @Test func rowsLeftWithoutAnyVitalAreSkipped() throws {
        let database = try TestDatabase.create()
        var series = SampleBatch(caseID: "sparse")
        series.set(.temp, row: series.appendRow(timestamp: 1_767_225_600_000_000), to: 0)
        series.set(.hr, row: series.appendRow(timestamp: 1_767_225_601_000_000), to: 80)
        let result = try CaseImporter().store(series, on: database.connect())
        #expect(result.samples == 1 && result.accepted == 1 && result.droppedValues == 1)
    }
}
