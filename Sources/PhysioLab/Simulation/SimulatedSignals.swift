import PhysioCore
import PhysioPlatform

/// The eight vitals of a case, one value per second, NaN = missing; the
/// simulator's working buffer before it becomes a `SampleBatch`.
struct SimulatedSignals: Sendable {
    let seconds: Int
    private var values: [[Double]]

    init(seconds: Int) {
        self.seconds = seconds
        values = Array(repeating: [Double](repeating: .nan, count: seconds), count: Vital.count)
    }

    subscript(vital: Vital, second: Int) -> Double {
        get { values[vital.rawValue][second] }
        set { values[vital.rawValue][second] = newValue }
    }

    mutating func setPressures(_ second: Int, _ systolic: Double, _ diastolic: Double, _ mean: Double) {
        self[.sbp, second] = systolic
        self[.dbp, second] = diastolic
        self[.mbp, second] = mean
    }

    /// Empties every vital not in `vitals`.
    mutating func keep(only vitals: [Vital]) {
        for vital in Vital.allCases where !vitals.contains(vital) {
            values[vital.rawValue] = [Double](repeating: .nan, count: seconds)
        }
    }

    /// Rows for every second with at least one value, timestamps
    /// `startMicros + second`.
    func batch(caseID: String, startMicros: Int64) -> SampleBatch {
        var batch = SampleBatch(caseID: caseID, reservingCapacity: seconds)
        for second in 0..<seconds where Vital.allCases.contains(where: { !self[$0, second].isNaN }) {
            let row = batch.appendRow(timestamp: startMicros + Int64(second) * Timestamp.microsPerSecond)
            for vital in Vital.allCases where !self[vital, second].isNaN {
                batch.set(vital, row: row, to: Float(self[vital, second]))
            }
        }
        return batch
    }
}
