#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The chance that a clinical rule is breached within the horizon, per rule,
/// from the vital's held value, its trend and its spread: the vital is taken
/// as a random walk with drift (drift = half the mean of its 1-, 3- and
/// 5-minute slopes towards the limit; spread per √minute = the larger of its
/// minute-to-minute wander over the last half hour and its 5-minute standard
/// deviation, never below a floor of measurement noise), and the probability
/// is that of a first passage through the limit within the horizon (Cox &
/// Miller, The Theory of Stochastic Processes, 1965, §5.7):
///
///     P = Φ((μH − m) / σ√H) + exp(2μm / σ²) · Φ((−m − μH) / σ√H)
///
/// with m the distance to the limit, plus the chance that an event the trend
/// cannot foresee carries the vital across (`EventRisk`): 1 − (1 − P)(1 − E).
/// A vital past its limit gives 1, one exactly at it `atTheLimit`.
/// Rules of vitals that are absent give 0, so any subset of vitals scores
/// on what it has, never diluted by imputed normals. The rules are combined
/// as independent: 1 − Π(1 − P).
///
/// The horizon is the early-warning task's 5 minutes. The drift is halved
/// because a trend seldom holds for the whole horizon: one that fades with a
/// time constant of about 3 minutes moves the vital about half as far in 5
/// minutes as a steady one. On the development data (both simulators and
/// the first hour of VitalDB case 1) the full drift over-ranked falls that
/// recovered, and no drift missed the ones that did not.
public struct BreachRisk: Codable, Sendable, Equatable {
    public var horizonSeconds: Double
    /// Share of the measured trend expected to carry on over the horizon.
    public var driftWeight: Double
    /// Smallest spread per vital (Vital order): the monitor's own resolution
    /// and noise, so a flat trace does not make a limit look unreachable.
    public private(set) var spreadFloor: [Float]
    /// Events the trend cannot foresee.
    public var events: EventRisk

    public init(horizonSeconds: Double = 300, driftWeight: Double = 0.5, spreadFloor: [Vital: Float] = BreachRisk.standardSpreadFloor,
                events: EventRisk = .standard) {
        precondition(horizonSeconds > 0 && driftWeight >= 0)
        self.horizonSeconds = horizonSeconds
        self.driftWeight = driftWeight
        self.spreadFloor = Vital.allCases.map { spreadFloor[$0] ?? 1 }
        self.events = events
    }

    public static let standardSpreadFloor: [Vital: Float] = [
        .hr: 2, .sbp: 3, .dbp: 2, .mbp: 2, .spo2: 0.5, .rr: 0.5, .etco2: 1, .temp: 0.05,
    ]

    enum CodingKeys: String, CodingKey {
        case horizonSeconds = "horizon_seconds", driftWeight = "drift_weight", spreadFloor = "spread_floor", events
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        horizonSeconds = try container.decode(Double.self, forKey: .horizonSeconds)
        driftWeight = try container.decode(Double.self, forKey: .driftWeight)
        spreadFloor = try container.decode([Float].self, forKey: .spreadFloor)
        guard horizonSeconds > 0, driftWeight >= 0, spreadFloor.count == Vital.count else {
            throw DecodingError.dataCorruptedError(forKey: .spreadFloor, in: container,
                                                   debugDescription: "risk needs a positive horizon, a drift weight ≥ 0 and a floor per vital")
        }
        // Models trained before the event term get it too: it is policy, not learned.
        events = try container.decodeIfPresent(EventRisk.self, forKey: .events) ?? .standard
    }

    public func floor(of vital: Vital) -> Float { spreadFloor[vital.rawValue] }

    /// The risk of a vital exactly at a limit it must pass (MAP 65 for
    /// MAP < 65, as a monitor's whole numbers often read): all but certain,
    /// yet short of the 1 that only a reading past the limit scores, so the
    /// alarm policy can tell a forecast from a breach (AlarmPolicy). Below
    /// 1 also as a stored `real`.
    public static let atTheLimit = 1 - 1e-6

    /// P(breach of `rule` within the horizon) for a vital at `value` drifting
    /// `slopePerMinute` (NaN: unknown, taken as flat; weighted by `driftWeight`) with spread `spread` (NaN: twice the floor).
    public func probability(_ rule: ClinicalRule, value: Float, slopePerMinute: Float, spread: Float) -> Double {
        let parts = self.parts(rule, value: value, slopePerMinute: slopePerMinute, spread: spread)
        return parts.walk + parts.event * (1 - parts.walk)   // 1 − (1 − walk)(1 − event), exact for tiny risks
    }

    /// The two terms of `probability`: the random walk's first passage, and an unforeseen event's.
    public func parts(_ rule: ClinicalRule, value: Float, slopePerMinute: Float, spread: Float) -> (walk: Double, event: Double) {
        guard !value.isNaN else { return (0, 0) }
        if rule.isTrue(value) { return (1, 0) }
        let below = rule.comparison == .lessThan || rule.comparison == .lessOrEqual
        let distance = Double(below ? value - rule.limit : rule.limit - value)
        guard distance > 0 else { return (Self.atTheLimit, 0) }
        let slope = slopePerMinute.isNaN ? 0 : Double(slopePerMinute) * driftWeight
        let drift = below ? -slope : slope
        let floor = Double(spreadFloor[rule.vital.rawValue])
        let sigma = spread.isNaN ? 2 * floor : max(Double(spread), floor)
        return (Self.firstPassage(distance: distance, drift: drift, sigma: sigma, horizon: horizonSeconds / 60),
                events.probability(rule.vital, distance: distance))
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
