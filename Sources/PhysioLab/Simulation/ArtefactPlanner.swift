import PhysioCore
import PhysioPlatform

/// Where a case's artefacts fall, and what they do to the measured signals.
/// Each device's artefacts come from that device's random stream, so the
/// arterial line of `all` and of `map_only` shows the same flushes.
enum ArtefactPlanner {
    /// Plans the artefacts of the devices `feed` has and lays them over `signals`.
    static func lay(on signals: inout SimulatedSignals, feed: MonitorFeed, streams: SimulationStreams) -> [SimulatedArtefact] {
        let seconds = signals.seconds
        var artefacts: [SimulatedArtefact] = []
        if feed.pressureSource == .arterialLine {
            var random = streams.random(.lineArtefacts)
            let planned = arterialLine(seconds: seconds, using: &random)
            apply(planned, to: &signals, using: &random)
            artefacts += planned
        }
        if feed.sends(.hr) {
            var random = streams.random(.ecgArtefacts)
            var planned = scatter(.heartRateSpike, perHour: 6, length: 1...3.99, seconds: seconds, using: &random) { random in
                random.chance(0.75) ? random.uniform(8...20) : -random.uniform(8...15)
            }
            planned += scatter(.heartRateGap, perHour: 0.5, length: 5...15, seconds: seconds, using: &random) { _ in 0 }
            apply(planned, to: &signals, using: &random)
            artefacts += planned
        }
        if feed.sends(.spo2) {
            var random = streams.random(.oximeterArtefacts)
            var planned = scatter(.saturationGap, perHour: 0.5, length: 10...30, seconds: seconds, using: &random) { _ in 0 }
            planned += scatter(.saturationProbeOff, perHour: 0.2, length: 60...600, seconds: seconds, using: &random) { _ in 0 }
            planned += scatter(.saturationDip, perHour: 0.4, length: 5...25, seconds: seconds, using: &random) { random in
                random.uniform(80...89)
            }
            apply(planned, to: &signals, using: &random)
            artefacts += planned
        }
        return artefacts
    }

    /// Before the line is connected, its insertion, blood sampling (half of
    /// them followed by a flush) and flushes of their own.
    static func arterialLine(seconds: Int, using random: inout SimulationRandom) -> [SimulatedArtefact] {
        var artefacts: [SimulatedArtefact] = []
        let connect = min(seconds, Int(random.uniform(300...720)))
        let settled = min(seconds, connect + Int(random.uniform(30...90)))
        artefacts.append(SimulatedArtefact(kind: .lineNotConnected, start: 0, end: connect, level: random.uniform(-6...5)))
        artefacts.append(SimulatedArtefact(kind: .lineInsertion, start: connect, end: settled, level: 0))
        let lineHours = Double(seconds - settled) / 3600
        for _ in 0..<random.poisson(mean: 1.0 * lineHours) {
            let start = settled + Int(random.unit() * Double(seconds - settled))
            let end = min(seconds, start + Int(random.uniform(10...40)))
            artefacts.append(SimulatedArtefact(kind: .samplingGap, start: start, end: end, level: 0))
            if random.chance(0.5) {
                artefacts.append(SimulatedArtefact(kind: .flush, start: end, end: min(seconds, end + Int(random.uniform(5...15))),
                                                   level: random.uniform(296...304)))
            }
        }
        for _ in 0..<random.poisson(mean: 0.5 * lineHours) {
            let start = settled + Int(random.unit() * Double(seconds - settled))
            artefacts.append(SimulatedArtefact(kind: .flush, start: start, end: min(seconds, start + Int(random.uniform(5...30))),
                                               level: random.uniform(296...304)))
        }
        return artefacts.filter { $0.end > $0.start }
    }

    static func scatter(_ kind: ArtefactKind, perHour: Double, length: ClosedRange<Double>, seconds: Int,
                        using random: inout SimulationRandom,
                        level: (inout SimulationRandom) -> Double) -> [SimulatedArtefact] {
        (0..<random.poisson(mean: perHour * Double(seconds) / 3600)).compactMap { _ in
            let start = Int(random.unit() * Double(seconds))
            let artefact = SimulatedArtefact(kind: kind, start: start, end: min(seconds, start + Int(random.uniform(length))),
                                             level: level(&random))
            return artefact.end > artefact.start ? artefact : nil
        }
    }

    /// Overwrites the measured signals with the artefacts.
    static func apply(_ artefacts: [SimulatedArtefact], to signals: inout SimulatedSignals, using random: inout SimulationRandom) {
        for artefact in artefacts {
            for second in artefact.start..<artefact.end {
                switch artefact.kind {
                case .lineNotConnected:
                    let reading = (artefact.level + random.normal(sd: 1.2)).rounded()
                    signals.setPressures(second, reading, reading, reading)
                case .lineInsertion:
                    if random.chance(0.25) {
                        signals.setPressures(second, .nan, .nan, .nan)
                    } else {
                        let systolic = random.uniform(40...130).rounded()
                        let diastolic = random.uniform(-95...110).rounded()
                        signals.setPressures(second, systolic, diastolic, ((systolic + 2 * diastolic) / 3).rounded())
                    }
                case .flush:
                    let systolic = (artefact.level + random.normal(sd: 1)).rounded()
                    let diastolic = systolic - random.uniform(6...12).rounded()
                    signals.setPressures(second, systolic, diastolic, ((systolic + diastolic) / 2).rounded())
                case .samplingGap:
                    signals.setPressures(second, .nan, .nan, .nan)
                case .heartRateSpike:
                    signals[.hr, second] += artefact.level.rounded()
                case .heartRateGap:
                    signals[.hr, second] = .nan
                case .saturationGap, .saturationProbeOff:
                    signals[.spo2, second] = .nan
                case .saturationDip:
                    // Down over a few seconds and back up: the oximeter averages.
                    let edge = min(1, Double(min(second - artefact.start + 1, artefact.end - second)) / 4)
                    let reading = signals[.spo2, second]
                    if reading > artefact.level { signals[.spo2, second] = (reading + edge * (artefact.level - reading)).rounded() }
                case .cuffFailure:
                    break   // the reading that did not happen (MonitorMeasurement)
                }
            }
        }
    }
}
