#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import PhysioCore
import PhysioPlatform

/// Slow wandering of a vital around the patient's value (changing depth of
/// anaesthesia, stimulation, fluids): an Ornstein–Uhlenbeck process sampled
/// each second, mean-reverting with time constant `tau` seconds and standard
/// deviation `sd`, squashed (tanh) to stay within ±2 sd, so drift alone does
/// not walk a patient into an alarm: alarms come from the labelled events.
struct SlowDrift: Sendable {
    private let keep: Double
    private let kick: Double
    private let limit: Double
    private var state: Double

    init(sd: Double, tau: Double, using random: inout SimulationRandom) {
        keep = 1 - 1 / tau
        kick = sd * (2 / tau).squareRoot()
        limit = 2 * sd
        state = random.normal(sd: sd)
    }

    mutating func step(using random: inout SimulationRandom) -> Double {
        state = state * keep + kick * random.normal()
        return limit * tanh(state / limit)
    }
}
