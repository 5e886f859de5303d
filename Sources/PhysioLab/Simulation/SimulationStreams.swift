import PhysioCore
import PhysioPlatform

/// The independent random streams of one case. Each part of the simulation
/// draws from its own, so a case's patient and events do not change with
/// its feed or its event rates with its artefacts: `all` and `map_only`
/// show the same patient, with the same arterial-line noise and artefacts.
struct SimulationStreams {
    enum Channel: UInt64 {
        case patient = 1, deteriorations, nearMisses, stimulations, course, feed
        case ecg, oximeter, capnograph, thermometer, arterialLine, cuff
        case lineArtefacts, ecgArtefacts, oximeterArtefacts
    }

    let seed: UInt64
    let caseNumber: Int

    func random(_ channel: Channel) -> SimulationRandom {
        SimulationRandom(seed: seed, stream: UInt64(truncatingIfNeeded: caseNumber) | channel.rawValue << 40)
    }
}
