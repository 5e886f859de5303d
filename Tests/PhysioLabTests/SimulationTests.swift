@testable import PhysioLab
import PhysioCore
import Testing
import PhysioPlatform

private func simulate(_ number: Int, seed: UInt64 = 11, hours: Double = 3, configure: (inout SimulationParameters) -> Void = { _ in }) -> SimulatedCase {
    var parameters = SimulationParameters(cases: 50, hours: hours, seed: seed)
    configure(&parameters)
    return CaseSimulator.simulate(caseNumber: number, parameters: parameters)
}

/// Values of a vital (missing left out).
private func values(_ batch: SampleBatch, _ vital: Vital, seconds: Range<Int>? = nil, start: Int64 = SimulationParameters(cases: 1, hours: 1, seed: 0).startMicros) -> [Float] {
    (0..<batch.count).compactMap { row in
        if let seconds {
            let second = Int((batch.timestamps[row] - start) / 1_000_000)
            guard seconds.contains(second) else { return nil }
        }
        return batch.value(vital, row: row)
    }
}

private func median(_ values: [Float]) -> Float { values.sorted()[values.count / 2] }

@Suite("Case simulator")
struct SimulationTests {
    @Test("the same seed gives the same case; another seed another; case n does not depend on the number of cases")
    func deterministic() {
        let first = simulate(3)
        let again = simulate(3) { $0.cases = 4 }
        #expect(first.batch.timestamps == again.batch.timestamps)
        #expect(first.batch.values.elementsEqual(again.batch.values) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(first.events.map(\.onset) == again.events.map(\.onset))
        #expect(first.artefacts == again.artefacts)
        let other = simulate(3, seed: 12)
        #expect(!first.batch.values.elementsEqual(other.batch.values) { $0 == $1 || ($0.isNaN && $1.isNaN) })
    }

    @Test("one row per second, case ids and timestamps as documented")
    func shape() {
        let simulated = simulate(7, hours: 0.5)
        #expect(simulated.caseID == "sim-0007")
        #expect(simulated.batch.caseID == "sim-0007")
        #expect(simulated.batch.count == 1800)
        let start = SimulationParameters(cases: 1, hours: 1, seed: 0).startMicros
        #expect(simulated.batch.timestamps.first == start)
        #expect(zip(simulated.batch.timestamps, simulated.batch.timestamps.dropFirst()).allSatisfy { $1 - $0 == 1_000_000 })
    }

    @Test("VitalDB-like values outside events and artefacts, every value within what a monitor reports")
    func plausible() {
        var hr: [Float] = [], sbp: [Float] = [], dbp: [Float] = [], spo2: [Float] = [], etco2: [Float] = [], temp: [Float] = []
        for number in 1...12 {
            let simulated = simulate(number) { $0.eventsPerHour = 0; $0.arterialLineFraction = 1 }
            #expect(simulated.events.isEmpty)
            let clean = 20 * 60..<3 * 3600   // line settled, probe placed
            let flushes = simulated.artefacts.filter { $0.kind == .flush || $0.kind == .heartRateSpike }
            func outsideArtefacts(_ vital: Vital) -> [Float] {
                let batch = simulated.batch
                let start = SimulationParameters(cases: 1, hours: 1, seed: 0).startMicros
                return (0..<batch.count).compactMap { row in
                    let second = Int((batch.timestamps[row] - start) / 1_000_000)
                    guard clean.contains(second), !flushes.contains(where: { $0.start <= second && second < $0.end }) else { return nil }
                    return batch.value(vital, row: row)
                }
            }
            hr += outsideArtefacts(.hr); sbp += outsideArtefacts(.sbp); dbp += outsideArtefacts(.dbp)
            spo2 += outsideArtefacts(.spo2); etco2 += outsideArtefacts(.etco2); temp += outsideArtefacts(.temp)
            for vital in Vital.allCases {
                #expect(values(simulated.batch, vital).allSatisfy { vital.reportableRange.contains($0) }, "\(vital.name) out of range")
            }
        }
        #expect((64...80).contains(median(hr)))
        #expect((110...130).contains(median(sbp)))
        #expect((50...62).contains(median(dbp)))
        #expect((98...100).contains(median(spo2)))
        #expect((30...38).contains(median(etco2)))
        #expect((35...37.5).contains(median(temp)))
        #expect(sbp.min()! > 60 && sbp.max()! < 200)       // no alarms without events or artefacts…
        #expect(spo2.min()! >= 93 && hr.min()! > 40 && hr.max()! < 140)
    }

    @Test("each event crosses its alarm threshold for over a minute, after a gradual onset, at the labelled times")
    func eventsAndLabels() {
        var seen = Set<DeteriorationKind>()
        for number in 1...25 {
            let simulated = simulate(number) { $0.eventsPerHour = 1.5; $0.arterialLineFraction = 1 }
            for event in simulated.events {
                seen.insert(event.kind)
                #expect(event.onset >= 15 * 60 && event.onset < event.peak && event.peak < event.plateauEnd && event.plateauEnd < event.end)
                #expect(event.peak - event.onset >= 60, "onset should be gradual")
                let plateau = event.peak..<event.plateauEnd
                let before = (event.onset - 120)..<event.onset
                let early = event.onset..<(event.onset + (event.peak - event.onset) / 4)
                let vital: Vital, beyond: (Float) -> Bool
                switch event.kind {
                case .hypotension: (vital, beyond) = (.mbp, { $0 < 65 })
                case .hypertension: (vital, beyond) = (.sbp, { $0 > 180 })
                case .tachycardia: (vital, beyond) = (.hr, { $0 > 140 })
                case .bradycardia: (vital, beyond) = (.hr, { $0 < 40 })
                case .desaturation: (vital, beyond) = (.spo2, { $0 < 90 })
                }
                let atPeak = values(simulated.batch, vital, seconds: plateau)
                #expect(atPeak.filter(beyond).count >= 60, "\(event.kind) at \(event.onset) in \(simulated.caseID)")
                // Artefacts (flushes, spikes) may cross a threshold anywhere, so compare medians.
                #expect(!beyond(median(values(simulated.batch, vital, seconds: before))))
                #expect(!beyond(median(values(simulated.batch, vital, seconds: early))))
            }
            for (first, second) in zip(simulated.events, simulated.events.dropFirst()) {
                #expect(second.onset - first.end >= 10 * 60)
            }
        }
        #expect(seen == Set(DeteriorationKind.allCases))
    }

    @Test("severity is 0 before onset, rises monotonically to 1 at the peak, and returns to 0 at the end")
    func severityShape() {
        var random = SimulationRandom(seed: 5)
        let event = DeteriorationEvent.draw(.hypotension, onset: 1000, using: &random)
        #expect(event.severity(at: 999) == 0 && event.severity(at: 1000) == 0)
        let ramp = (event.onset...event.peak).map(event.severity)
        #expect(zip(ramp, ramp.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(event.severity(at: event.peak) == 1 && event.severity(at: event.plateauEnd - 1) == 1)
        #expect(event.severity(at: event.end) == 0)
        #expect(EventLabelsCSV.parse(line: EventLabelsCSV.line(caseID: "sim-0001", event))
                == .init(caseID: "sim-0001", kind: .hypotension, onset: event.onset, peak: event.peak, end: event.end))
        #expect(EventLabelsCSV.parse(line: "sim-0001,stroke,1,2,3") == nil)
    }

    @Test("arterial-line artefacts are present where planned: ~0 before connection, 300/290 flushes, gaps, HR spikes")
    func artefacts() {
        var kinds = Set<ArtefactKind>()
        for number in 1...10 {
            let simulated = simulate(number) { $0.arterialLineFraction = 1 }
            let batch = simulated.batch
            for artefact in simulated.artefacts {
                kinds.insert(artefact.kind)
                let seconds = artefact.start..<artefact.end
                switch artefact.kind {
                case .lineNotConnected:
                    #expect(values(batch, .sbp, seconds: seconds).allSatisfy { abs($0) <= 12 })
                    #expect(artefact.start == 0 && artefact.end >= 300)
                case .flush:
                    let overlapping = simulated.artefacts.contains { $0.kind == .samplingGap && $0.start < artefact.end && artefact.start < $0.end }
                    if !overlapping {
                        #expect(values(batch, .sbp, seconds: seconds).allSatisfy { $0 >= 290 })
                        #expect(values(batch, .dbp, seconds: seconds).allSatisfy { $0 >= 280 })
                    }
                case .samplingGap:
                    #expect(values(batch, .sbp, seconds: seconds).filter { $0 < 290 }.isEmpty)
                case .heartRateGap:
                    let spikes = simulated.artefacts.contains { $0.kind == .heartRateSpike && $0.start < artefact.end && artefact.start < $0.end }
                    if !spikes { #expect(values(batch, .hr, seconds: seconds).isEmpty) }
                default:
                    break
                }
            }
        }
        #expect(kinds.isSuperset(of: [.lineNotConnected, .lineInsertion, .flush, .samplingGap, .heartRateSpike]))
    }

    @Test("without an arterial line, pressures come only from the cuff every few minutes")
    func cuffOnly() {
        let simulated = simulate(2) { $0.arterialLineFraction = 0 }
        #expect(!simulated.hasArterialLine)
        #expect(!simulated.artefacts.contains { [.lineNotConnected, .flush, .samplingGap].contains($0.kind) })
        let start = SimulationParameters(cases: 1, hours: 1, seed: 0).startMicros
        let cuffSeconds = (0..<simulated.batch.count).filter { simulated.batch.value(.sbp, row: $0) != nil }
            .map { Int((simulated.batch.timestamps[$0] - start) / 1_000_000) }
        #expect((36...72).contains(cuffSeconds.count))   // 3 h at one every 2.5–5 min
        #expect(zip(cuffSeconds, cuffSeconds.dropFirst()).allSatisfy { (140...310).contains($1 - $0) })
    }

    @Test("the random generator is reproducible and roughly uniform and normal")
    func random() {
        var a = SimulationRandom(seed: 1), b = SimulationRandom(seed: 1)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        var random = SimulationRandom(seed: 2)
        let normals = (0..<20_000).map { _ in random.normal() }
        let mean = normals.reduce(0, +) / Double(normals.count)
        let variance = normals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(normals.count)
        #expect(abs(mean) < 0.05 && abs(variance - 1) < 0.05)
        let poisson = (0..<20_000).map { _ in random.poisson(mean: 2) }
        #expect(abs(Double(poisson.reduce(0, +)) / 20_000 - 2) < 0.05)
        var one = SimulationRandom(seed: 9, stream: 1), two = SimulationRandom(seed: 9, stream: 2)
        #expect(one.next() != two.next())
    }
}
