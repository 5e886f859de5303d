import PhysioCore
import PhysioPlatform

/// What `physio simulate` generates.
public struct SimulationParameters: Sendable {
    public var cases: Int
    public var hours: Double
    public var seed: UInt64
    /// Mean number of deteriorations (threshold-crossing events) per hour of case (Poisson).
    public var eventsPerHour: Double = 0.6
    /// Mean number of near misses per hour: deterioration courses that stop short of the threshold.
    public var nearMissesPerHour: Double = 0.3
    /// Mean number of benign responses to surgical stimulation per hour.
    public var stimulationsPerHour: Double = 0.6
    /// Which vitals each case's monitor sends.
    public var feeds: FeedSelection = .standard
    /// With `feeds == .standard`: the share of cases with an arterial line; the others have a cuff.
    public var arterialLineFraction: Double = 0.6
    /// When every case starts, µs since the Unix epoch (2025-01-06T08:00:00Z).
    public var startMicros: Int64 = 1_736_150_400_000_000
    public var caseIDPrefix = "sim-"

    public init(cases: Int, hours: Double, seed: UInt64) {
        self.cases = cases
        self.hours = hours
        self.seed = seed
    }

    public var secondsPerCase: Int { max(1, Int((hours * 3600).rounded())) }

    /// "sim-0007" for case 7 (numbers start at 1).
    public func caseID(_ number: Int) -> String { caseIDPrefix + zeroPadded(number, width: 4) }
}
