import Foundation
import Testing
@testable import PhysioCore

/// ../shared/data beside the repository (three folders up from this file).
private let vitalDBCase = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/vitaldb/case_0001_part1.csv").path

/// Checks against the real VitalDB case in ../shared/data (skipped when that folder is absent).
@Suite(.enabled(if: FileManager.default.fileExists(atPath: vitalDBCase),
                "needs ../shared/data/vitaldb/case_0001_part1.csv beside the repository (the shared data folder is absent)"))
struct RealDataTests {
    /// The case CSV, read here so this target needs nothing beyond PhysioCore.
    static func readCase() throws -> SampleBatch {
        let text = try String(contentsOfFile: vitalDBCase, encoding: .utf8)
        var lines = text.split(separator: "\n")
        #expect(lines.removeFirst() == "case_id,t_seconds,hr,sbp,dbp,mbp,spo2,rr,etco2,temp")
        var batch = SampleBatch(caseID: "1")
        for line in lines {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let row = batch.appendRow(timestamp: Int64(fields[1])! * 1_000_000)
            for vital in Vital.allCases { if let value = Float(fields[2 + vital.rawValue]) { batch.set(vital, row: row, to: value) } }
        }
        return batch
    }

    @Test func arterialLineArtefactsOfCaseOneAreRemoved() throws {
        let series = try Self.readCase()
        let clean = ArtefactFilter.standard.clean(series)
        func seconds(_ row: Int) -> Int64 { series.timestamps[row] / 1_000_000 }
        // Before the line is connected and while it is inserted and zeroed (README: 2–776 s).
        let early = (0..<series.count).filter { seconds($0) <= 776 && series.value(.sbp, row: $0) != nil }
        #expect(early.count > 300)
        #expect(early.allSatisfy { clean.value(.sbp, row: $0) == nil || clean.value(.sbp, row: $0)! >= 40 })
        #expect(early.filter { clean.value(.sbp, row: $0) != nil }.isEmpty, "no reading before 776 s is a real pressure")
        // The flush at 2,406–2,412 s and its decay.
        for row in 0..<series.count where (2406...2420).contains(seconds(row)) {
            #expect(clean.value(.sbp, row: row) == nil, "t = \(seconds(row)) s")
        }
        // Surgery goes on with real pressures.
        let surgery = (0..<series.count).filter { (1700...2300).contains(seconds($0)) }
        #expect(surgery.filter { clean.value(.sbp, row: $0) != nil }.count > surgery.count * 9 / 10)
    }

    @Test func aModelTrainedOnCaseOneRanksRuleBreachesHigh() throws {
        let series = try Self.readCase()
        let model = AnomalyModel.train(cases: [series], parameters: .init(forest: .init(trees: 50, seed: 3),
                                                                          dataDescription: "VitalDB case 1, part 1"))
        #expect(model.novelty.contains { $0.vital == .mbp }, "MAP is estimated from SBP and DBP")
        #expect(!model.novelty.contains { $0.vital == .rr }, "RR is never recorded in this case")
        let metrics = model.metadata.metrics
        #expect(metrics.positives > 500)
        #expect(metrics.rocAUC! > 0.95, "a breach scores 1; the rest rank by their risk")
        let samples = CaseScorer(model: model).scoreCase(series)
        #expect(samples.allSatisfy { $0.score >= 0 && $0.score <= 1 })
    }
}
