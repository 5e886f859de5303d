import PhysioCore
import PhysioStore
import PhysioTestSupport
import Testing

/// The worker's read of raw rows: each case's samples within its range and,
/// with `previousPressureSeconds`, the one row before it that sends a
/// pressure (a cuff's reading minutes earlier, for the artefact filter's rule 6).
@Suite(.enabled(if: TestDatabase.isConfigured, "\(TestDatabase.skipMessage)"))
struct VitalsReaderTests {
    @Test func theLastRowSendingAPressureBeforeEachRangeComesFirst() throws {
        let database = try TestDatabase.create()
        let start: Int64 = 1_795_600_000
        func second(_ offset: Int) -> Int64 { (start + Int64(offset)) * 1_000_000 }
        // HR every 10 s for 15 min, and pressures at the seconds given.
        func heartRate(_ caseID: String, pressures: [Int: [Vital: Float]]) -> SampleBatch {
            var batch = SampleBatch(caseID: caseID)
            for offset in stride(from: 0, to: 900, by: 10) {
                let row = batch.appendRow(timestamp: second(offset))
                batch.set(.hr, row: row, to: 80)
                for (vital, value) in pressures[offset] ?? [:] { batch.set(vital, row: row, to: value) }
            }
            return batch
        }
        let cuff = heartRate("cuff", pressures: [0: [.sbp: 72, .dbp: 41], 300: [.sbp: 70, .dbp: 40]])
        let old = heartRate("old", pressures: [100: [.mbp: 50]])
        let none = heartRate("none", pressures: [:])
        try database.ingest([cuff, old, none])
        let ranges = ["cuff", "old", "none"].map { CaseRange(caseID: $0, from: second(500), to: second(600)) }
        let within = stride(from: 500, through: 600, by: 10).map(second)
        let read = try VitalsReader().read(ranges, previousPressureSeconds: 360, on: database.connect())
        #expect(read["cuff"]?.timestamps == [second(300)] + within, "the 300-s reading, not the one at 0 s")
        #expect(read["cuff"]?.value(.sbp, row: 0) == 70 && read["cuff"]?.value(.hr, row: 0) == 80)
        #expect(read["old"]?.timestamps == within, "its pressure lies more than 360 s before the range")
        #expect(read["none"]?.timestamps == within)
        let plain = try VitalsReader().read(ranges, on: database.connect())
        #expect(plain["cuff"]?.timestamps == within)
    }

    @Test func theLastRowsBeforeEachRangeComeForTheRecordsPace() throws {
        let database = try TestDatabase.create()
        let start: Int64 = 1_795_650_000
        func second(_ offset: Int) -> Int64 { (start + Int64(offset)) * 1_000_000 }
        // A cuff alone every 300 s, and HR every 10 s with a pressure at 480 s.
        var cuff = SampleBatch(caseID: "cuff"), dense = SampleBatch(caseID: "dense")
        for offset in stride(from: 0, to: 3000, by: 300) { cuff.set(.sbp, row: cuff.appendRow(timestamp: second(offset)), to: 120) }
        for offset in stride(from: 0, to: 900, by: 10) {
            let row = dense.appendRow(timestamp: second(offset))
            dense.set(.hr, row: row, to: 80)
            if offset == 480 { dense.set(.sbp, row: row, to: 118) }
        }
        try database.ingest([cuff, dense])
        let ranges = [CaseRange(caseID: "cuff", from: second(2000), to: second(2500)),
                      CaseRange(caseID: "dense", from: second(500), to: second(600))]
        let read = try VitalsReader().read(ranges, previousPressureSeconds: 360, paceRows: 3, paceSeconds: 720,
                                           on: database.connect())
        // Three rows before, within 720 s: 1500 and 1800 (1200 lies 800 s back).
        #expect(read["cuff"]?.timestamps == [1500, 1800, 2100, 2400].map(second))
        // The 480-s pressure row is also one of the last three rows: once.
        #expect(read["dense"]?.timestamps == stride(from: 470, through: 600, by: 10).map(second))
    }
}
