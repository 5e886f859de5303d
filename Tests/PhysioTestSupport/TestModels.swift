import PhysioCore
import PhysioStore

/// Small synthetic cases and a quickly trained model for worker tests.
public enum TestModels {
    /// A calm case: HR ~72, SBP ~120, DBP ~60, SpO2 ~98 with a little
    /// deterministic noise, one sample a second from `start` (epoch seconds).
    public static func calmCase(_ caseID: String, start: Int64, seconds: Int, seed: UInt64 = 1) -> SampleBatch {
        var state = seed &* 6_364_136_223_846_793_005 &+ 1
        func noise() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2001) / 1000 - 1   // −1…1
        }
        var batch = SampleBatch(caseID: caseID, reservingCapacity: seconds)
        for second in 0..<seconds {
            let row = batch.appendRow(timestamp: (start + Int64(second)) * 1_000_000)
            batch.set(.hr, row: row, to: 72 + 3 * noise())
            batch.set(.sbp, row: row, to: 120 + 4 * noise())
            batch.set(.dbp, row: row, to: 60 + 3 * noise())
            batch.set(.spo2, row: row, to: 98 + noise())
        }
        return batch
    }

    /// `calmCase` with a crisis (HR 165, SBP 62, DBP 35, SpO2 84) in `crisis` (seconds from start).
    public static func caseWithCrisis(_ caseID: String, start: Int64, seconds: Int, crisis: Range<Int>) -> SampleBatch {
        var batch = calmCase(caseID, start: start, seconds: seconds, seed: 7)
        for second in crisis {
            batch.set(.hr, row: second, to: 165)
            batch.set(.sbp, row: second, to: 62)
            batch.set(.dbp, row: second, to: 35)
            batch.set(.spo2, row: second, to: 84)
        }
        return batch
    }

    /// 30 trees on three calm 10-minute cases: enough to flag a crisis, fast to fit.
    public static func small(seed: UInt64 = 1) -> AnomalyModel {
        let cases = (0..<3).map { calmCase("train-\($0)", start: 1_700_000_000, seconds: 600, seed: UInt64($0) + 1) }
        return AnomalyModel.train(cases: cases, parameters: TrainingParameters(
            forest: IsolationForestParameters(trees: 30, maxSamples: 256, seed: seed), dataDescription: "test: calm synthetic cases"))
    }

    /// Trains, registers and activates a model; returns its id.
    @discardableResult
    public static func register(on database: TestDatabase, seed: UInt64 = 1, name: String = "test") throws -> Int64 {
        try ModelStore().register(small(seed: seed), name: name, activate: true, on: database.connect())
    }
}
