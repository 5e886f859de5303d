@testable import PhysioLab
import PhysioCore
import Testing
import PhysioPlatform

@Suite("Case simulator")
struct SimulationTests {
    @Test("the same seed gives the same case; another seed another; case n does not depend on the number of cases")
    func deterministic() {
        for feeds in [FeedSelection.standard, .among(MonitorFeed.allCases)] {
            let first = simulate(3) { $0.feeds = feeds }
            let again = simulate(3) { $0.cases = 4; $0.feeds = feeds }
            #expect(first.batch.timestamps == again.batch.timestamps)
            #expect(first.batch.values.elementsEqual(again.batch.values) { $0 == $1 || ($0.isNaN && $1.isNaN) })
            #expect(first.events.map(\.onset) == again.events.map(\.onset))
            #expect(first.events.map(\.kind) == again.events.map(\.kind))
            #expect(first.artefacts == again.artefacts)
            #expect(first.feed == again.feed)
            let other = simulate(3, seed: 12) { $0.feeds = feeds }
            #expect(!first.batch.values.elementsEqual(other.batch.values) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        }
    }

    @Test("one row per second, case ids and timestamps as documented")
    func shape() {
        let simulated = simulate(7, hours: 0.5) { $0.feeds = .among([.all]) }
        #expect(simulated.caseID == "sim-0007")
        #expect(simulated.batch.caseID == "sim-0007")
        #expect(simulated.batch.count == 1800)
        #expect(simulated.batch.timestamps.first == simulationStart)
        #expect(zip(simulated.batch.timestamps, simulated.batch.timestamps.dropFirst()).allSatisfy { $1 - $0 == 1_000_000 })
    }

    @Test("VitalDB-like values outside events and artefacts, no alarm without an event, every value within what a monitor reports")
    func plausible() {
        var hr: [Float] = [], sbp: [Float] = [], dbp: [Float] = [], mbp: [Float] = [], spo2: [Float] = []
        var etco2: [Float] = [], rr: [Float] = [], temp: [Float] = []
        for number in 1...8 {
            let simulated = simulate(number) {
                $0.eventsPerHour = 0; $0.nearMissesPerHour = 0; $0.stimulationsPerHour = 0; $0.feeds = .among([.all])
            }
            #expect(simulated.events.isEmpty)
            let clean = 20 * 60..<3 * 3600   // line settled, probe placed
            let marked = simulated.artefacts.filter { [.flush, .heartRateSpike, .saturationDip].contains($0.kind) }
            func outsideArtefacts(_ vital: Vital) -> [Float] {
                series(simulated.batch, vital, seconds: clean)
                    .filter { point in !marked.contains { $0.start <= point.second && point.second < $0.end } }.map(\.value)
            }
            hr += outsideArtefacts(.hr); sbp += outsideArtefacts(.sbp); dbp += outsideArtefacts(.dbp); mbp += outsideArtefacts(.mbp)
            spo2 += outsideArtefacts(.spo2); etco2 += outsideArtefacts(.etco2); rr += outsideArtefacts(.rr); temp += outsideArtefacts(.temp)
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
        #expect(sbp.min()! > 80 && sbp.max()! < 180 && mbp.min()! >= 65)    // no alarms without events or artefacts…
        #expect(spo2.min()! >= 93 && hr.min()! > 40 && hr.max()! < 140 && rr.min()! > 8)
    }

    @Test("arterial-line artefacts are present where planned: ~0 before connection, 300/290 flushes, gaps, HR spikes")
    func artefacts() {
        var kinds = Set<ArtefactKind>()
        for number in 1...10 {
            let simulated = simulate(number) { $0.feeds = .among([.all]) }
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
                case .saturationGap, .saturationProbeOff:
                    #expect(values(batch, .spo2, seconds: seconds).isEmpty)
                case .saturationDip:
                    let gaps = simulated.artefacts.contains {
                        [.saturationGap, .saturationProbeOff].contains($0.kind) && $0.start < artefact.end && artefact.start < $0.end
                    }
                    if !gaps && artefact.end - artefact.start >= 8 { #expect(values(batch, .spo2, seconds: seconds).min()! < 90) }
                default:
                    break
                }
            }
        }
        #expect(kinds.isSuperset(of: [.lineNotConnected, .lineInsertion, .flush, .samplingGap, .heartRateSpike,
                                      .saturationProbeOff, .saturationDip]))
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
