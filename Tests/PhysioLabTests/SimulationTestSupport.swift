@testable import PhysioLab
import PhysioCore
import PhysioPlatform

/// Case `number` of a test simulation (50 cases, `hours` each, `seed`).
func simulate(_ number: Int, seed: UInt64 = 11, hours: Double = 3,
              configure: (inout SimulationParameters) -> Void = { _ in }) -> SimulatedCase {
    CaseSimulator.simulate(caseNumber: number, parameters: simulationParameters(seed: seed, hours: hours, configure: configure))
}

func simulationParameters(seed: UInt64 = 11, hours: Double = 3,
                          configure: (inout SimulationParameters) -> Void = { _ in }) -> SimulationParameters {
    var parameters = SimulationParameters(cases: 50, hours: hours, seed: seed)
    configure(&parameters)
    return parameters
}

let simulationStart = SimulationParameters(cases: 1, hours: 1, seed: 0).startMicros

/// Second of the case of a row.
func second(_ batch: SampleBatch, row: Int) -> Int { Int((batch.timestamps[row] - simulationStart) / 1_000_000) }

/// (second, value) of a vital's present values, optionally within `seconds`.
func series(_ batch: SampleBatch, _ vital: Vital, seconds: Range<Int>? = nil) -> [(second: Int, value: Float)] {
    (0..<batch.count).compactMap { row in
        let at = second(batch, row: row)
        if let seconds, !seconds.contains(at) { return nil }
        return batch.value(vital, row: row).map { (at, $0) }
    }
}

/// Values of a vital (missing left out).
func values(_ batch: SampleBatch, _ vital: Vital, seconds: Range<Int>? = nil) -> [Float] {
    series(batch, vital, seconds: seconds).map(\.value)
}

func median(_ values: [Float]) -> Float { values.sorted()[values.count / 2] }

/// Per second of `seconds`, the median of the vital's values in the 30 s
/// up to it (nil where there are none): the course without noise and spikes.
func rollingMedian(_ batch: SampleBatch, _ vital: Vital, seconds: Range<Int>) -> [Int: Float] {
    let points = series(batch, vital, seconds: (seconds.lowerBound - 29)..<seconds.upperBound)
    var medians: [Int: Float] = [:]
    var window: [(second: Int, value: Float)] = []
    var index = 0
    for at in seconds {
        while index < points.count, points[index].second <= at { window.append(points[index]); index += 1 }
        window.removeAll { $0.second <= at - 30 }
        if !window.isEmpty { medians[at] = median(window.map(\.value)) }
    }
    return medians
}

/// Whether `rule` holds for at least `share` of the present cleaned values
/// in some 60 s window within `seconds`: a breach a clinician would call sustained.
func sustainedBreach(_ clean: SampleBatch, _ rule: ClinicalRule, seconds: Range<Int>, share: Double) -> Bool {
    let points = series(clean, rule.vital, seconds: seconds)
    var start = 0
    var beyond = 0
    for end in points.indices {
        if rule.isTrue(points[end].value) { beyond += 1 }
        while points[start].second <= points[end].second - 60 {
            if rule.isTrue(points[start].value) { beyond -= 1 }
            start += 1
        }
        let count = end - start + 1
        if count >= 30, Double(beyond) >= share * Double(count) { return true }
    }
    return false
}

/// The batch with every value an artefact touched removed: what the patient's course looks like through a perfect monitor.
func withoutArtefacts(_ simulated: SimulatedCase) -> SampleBatch {
    var batch = simulated.batch
    for row in 0..<batch.count {
        let at = second(batch, row: row)
        for artefact in simulated.artefacts where artefact.start <= at && at < artefact.end {
            for vital in artefact.kind.vitals { batch.set(vital, row: row, to: .nan) }
        }
    }
    return batch
}
