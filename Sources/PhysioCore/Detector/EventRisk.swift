#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The part of a rule's breach risk that no trend foresees: an event (a
/// bolus, a bleed, an airway problem) that starts inside the horizon and
/// moves the vital by a size of its own. Such an event carries a vital
/// across its limit more often the nearer the limit is:
///
///     P = chance · exp(−distance / scale)
///
/// A random walk of a steady vital's own spread gives almost nothing a few
/// spreads from the limit (8e-6 at MAP 85 with 2 mmHg per √minute), so
/// without this term samples far from every limit were ranked by how noisy
/// each trace was, not by how near it stood: a steady MAP of 85 below a
/// MAP of 100 wandering 5 mmHg per √minute. `chance` (2 % per horizon) stays far below any alarm
/// threshold, and below the risk of a trend the walk measures: the term
/// ranks samples that nothing else separates, and never alarms alone.
public struct EventRisk: Codable, Sendable, Equatable {
    /// Chance within the horizon that an event moves a vital towards a limit.
    public var chance: Double
    /// Typical size of an event per vital (Vital order), in the vital's unit.
    public private(set) var scale: [Float]

    public init(chance: Double = 0.02, scale: [Vital: Float] = EventRisk.standardScale) {
        precondition((0..<1).contains(chance))
        self.chance = chance
        self.scale = Vital.allCases.map { scale[$0] ?? 1 }
        precondition(self.scale.allSatisfy { $0 > 0 })
    }

    /// The size of the changes an anaesthetist watches for: MAP falling by
    /// 20 mmHg (post-induction hypotension is defined by falls of 20–30 %),
    /// heart rate moving 20 /min, saturation 5 points, breathing 5 /min,
    /// temperature half a degree.
    public static let standardScale: [Vital: Float] = [
        .hr: 20, .sbp: 30, .dbp: 15, .mbp: 20, .spo2: 5, .rr: 5, .etco2: 10, .temp: 0.5,
    ]

    public static let standard = EventRisk()

    /// P(an event carries the vital from `distance` (> 0, the vital's unit) across the limit of a rule of `vital`).
    public func probability(_ vital: Vital, distance: Double) -> Double {
        chance * exp(-max(distance, 0) / Double(scale[vital.rawValue]))
    }

    enum CodingKeys: String, CodingKey { case chance, scale }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        chance = try container.decode(Double.self, forKey: .chance)
        scale = try container.decode([Float].self, forKey: .scale)
        guard (0..<1).contains(chance), scale.count == Vital.count, scale.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw DecodingError.dataCorruptedError(forKey: .scale, in: container,
                                                   debugDescription: "events need a chance in [0, 1) and a positive scale per vital")
        }
    }
}
