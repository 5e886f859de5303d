/// Slow wandering of a vital around the patient's value (changing depth of
/// anaesthesia, stimulation, fluids): an Ornstein–Uhlenbeck process sampled
/// each second, mean-reverting with time constant `tau` seconds and
/// stationary standard deviation `sd`.
struct SlowDrift: Sendable {
    private let keep: Double
    private let kick: Double
    private(set) var value: Double

    init(sd: Double, tau: Double, using random: inout SimulationRandom) {
        keep = 1 - 1 / tau
        kick = sd * (2 / tau).squareRoot()
        value = random.normal(sd: sd)
    }

    mutating func step(using random: inout SimulationRandom) -> Double {
        value = value * keep + kick * random.normal()
        return value
    }
}
