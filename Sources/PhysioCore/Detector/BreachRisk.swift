#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The chance that a clinical rule is breached within the horizon, per rule,
/// from the vital's held value, its trend and its spread: the vital is taken
/// as a random walk with drift (drift = the mean of its 1-, 3- and 5-minute
/// slopes towards the limit, spread = its standard deviation over 5 minutes,
/// per √minute, never below a floor of measurement noise), and the
/// probability is that of a first passage through the limit within the
/// horizon (Cox & Miller, The Theory of Stochastic Processes, 1965, §5.7):
///
///     P = Φ((μH − m) / σ√H) + exp(2μm / σ²) · Φ((−m − μH) / σ√H)
///
/// with m the distance to the limit. A vital at or past its limit gives 1.
/// Rules of vitals that are absent give 0, so any subset of vitals scores
/// on what it has, never diluted by imputed normals. The rules are combined
/// as independent: 1 − Π(1 − P).
///
/// The horizon is 3 minutes although the early-warning task looks 5 ahead:
/// a trend rarely holds as long as a random walk's drift does, and on both
/// development simulators the shorter horizon ranked the minutes before a
/// breach better.
public struct BreachRisk: Codable, Sendable, Equatable {
    public var horizonSeconds: Double
    /// Smallest spread per vital (Vital order): the monitor's own resolution
    /// and noise, so a flat trace does not make a limit look unreachable.
    public private(set) var spreadFloor: [Float]

    public init(horizonSeconds: Double = 180, spreadFloor: [Vital: Float] = BreachRisk.standardSpreadFloor) {
        precondition(horizonSeconds > 0)
        self.horizonSeconds = horizonSeconds
        self.spreadFloor = Vital.allCases.map { spreadFloor[$0] ?? 1 }
    }

    public static let standardSpreadFloor: [Vital: Float] = [
        .hr: 2, .sbp: 3, .dbp: 2, .mbp: 2, .spo2: 0.5, .rr: 0.5, .etco2: 1, .temp: 0.05,
    ]

    public func floor(of vital: Vital) -> Float { spreadFloor[vital.rawValue] }

    /// P(breach of `rule` within the horizon) for a vital at `value` drifting
    /// `slopePerMinute` (NaN: unknown, taken as flat) with spread `spread` (NaN: twice the floor).
    public func probability(_ rule: ClinicalRule, value: Float, slopePerMinute: Float, spread: Float) -> Double {
        guard !value.isNaN else { return 0 }
        if rule.isTrue(value) { return 1 }
        let below = rule.comparison == .lessThan || rule.comparison == .lessOrEqual
        let distance = Double(below ? value - rule.limit : rule.limit - value)
        guard distance > 0 else { return 1 }
        let slope = slopePerMinute.isNaN ? 0 : Double(slopePerMinute)
        let drift = below ? -slope : slope
        let floor = Double(spreadFloor[rule.vital.rawValue])
        let sigma = spread.isNaN ? 2 * floor : max(Double(spread), floor)
        return Self.firstPassage(distance: distance, drift: drift, sigma: sigma, horizon: horizonSeconds / 60)
    }

    /// First passage of a Brownian motion with drift through a barrier `distance` away, within `horizon` (minutes).
    static func firstPassage(distance: Double, drift: Double, sigma: Double, horizon: Double) -> Double {
        let scale = sigma * horizon.squareRoot()
        let direct = normalCDF((drift * horizon - distance) / scale)
        let exponent = 2 * drift * distance / (sigma * sigma)
        let tail = normalCDF((-distance - drift * horizon) / scale)
        let reflected = tail > 0 ? exp(min(exponent + log(tail), 0)) : 0
        return min(max(direct + reflected, 0), 1)
    }

    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
}
