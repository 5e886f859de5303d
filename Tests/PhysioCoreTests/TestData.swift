#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import PhysioCore

/// Small synthetic data made by the tests themselves.
enum TestData {
    /// Standard normal draws (Box–Muller) from a seeded generator.
    static func gaussian(_ random: inout SeededGenerator) -> Double {
        let u1 = max(random.nextUnit(), 1e-300), u2 = random.nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// `inliers` rows of N(0, 1) in `columns` dimensions followed by `outliers` rows at ±`distance` in every column.
    static func plantedOutliers(inliers: Int, outliers: Int, columns: Int, distance: Double = 6, seed: UInt64 = 7) -> FeatureMatrix {
        var random = SeededGenerator(seed: seed)
        var matrix = FeatureMatrix(columns: columns)
        for _ in 0..<inliers { matrix.append(row: (0..<columns).map { _ in Float(gaussian(&random)) }) }
        for i in 0..<outliers {
            matrix.append(row: (0..<columns).map { c in Float((i + c) % 2 == 0 ? distance : -distance) })
        }
        return matrix
    }

    /// A case sampled every `step` seconds: `values(t)` gives the vitals (nil = missing) at t seconds.
    static func series(_ caseID: String = "c1", seconds: StrideTo<Int>,
                       _ values: (Int) -> [Vital: Float]) -> SampleBatch {
        series(caseID, seconds: Array(seconds), values)
    }

    static func series(_ caseID: String = "c1", seconds: [Int],
                       _ values: (Int) -> [Vital: Float]) -> SampleBatch {
        var batch = SampleBatch(caseID: caseID)
        for t in seconds {
            let row = batch.appendRow(timestamp: Int64(t) * 1_000_000)
            for (vital, value) in values(t) { batch.set(vital, row: row, to: value) }
        }
        return batch
    }

    /// Rows where `filter.cleanRow` (the one-row form) differs from `clean`,
    /// the series form of `filter.clean(series)`: empty when the two agree.
    static func rowsWhereOneRowFormDiffers(_ filter: ArtefactFilter, _ series: SampleBatch, clean: SampleBatch) -> [Int] {
        (0..<series.count).filter { row in
            !zip(filter.cleanRow(series, row: row), clean.values[(row * Vital.count)..<((row + 1) * Vital.count)])
                .allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        }
    }

    /// A plausible anaesthetised patient at 1 Hz with noise; hypotension (SBP ≈ 70) from `hypotension` if given.
    static func patient(_ caseID: String, seconds: Int, seed: UInt64, hypotension: Range<Int>? = nil) -> SampleBatch {
        var random = SeededGenerator(seed: seed)
        return series(caseID, seconds: stride(from: 0, to: seconds, by: 1)) { t in
            let low = hypotension?.contains(t) ?? false
            let sbp = Float((low ? 70 : 120) + 4 * gaussian(&random))
            let dbp = Float((low ? 38 : 60) + 3 * gaussian(&random))
            return [.hr: Float((low ? 95 : 72) + 2 * gaussian(&random)), .sbp: sbp, .dbp: dbp,
                    .spo2: Float(min(100, 98.5 + 0.5 * gaussian(&random))).rounded()]
        }
    }
}
