/// The vital signs physio stores, in column order of the `vitals` table.
public enum Vital: Int, CaseIterable, Sendable {
    case hr, sbp, dbp, mbp, spo2, rr, etco2, temp

    public static let count = 8

    /// Column and JSON field name.
    public var name: String {
        switch self {
        case .hr: "hr"
        case .sbp: "sbp"
        case .dbp: "dbp"
        case .mbp: "mbp"
        case .spo2: "spo2"
        case .rr: "rr"
        case .etco2: "etco2"
        case .temp: "temp"
        }
    }

    public var unit: String {
        switch self {
        case .hr: "/min"
        case .sbp, .dbp, .mbp, .etco2: "mmHg"
        case .spo2: "%"
        case .rr: "/min"
        case .temp: "°C"
        }
    }

    public init?(name: String) {
        guard let vital = Vital.allCases.first(where: { $0.name == name }) else { return nil }
        self = vital
    }

    /// What a bedside monitor can report, inclusive. Ingest rejects values
    /// outside it. Pressures go below zero because an unzeroed or
    /// disconnected arterial transducer reads negative (VitalDB case 1 shows
    /// DBP −93 during line insertion); such artefacts are stored as sent and
    /// treated as missing by the features, so a batch is never lost for them.
    public var reportableRange: ClosedRange<Float> {
        switch self {
        case .hr: 0...350
        case .sbp, .dbp, .mbp: -100...400
        case .spo2: 0...100
        case .rr: 0...150
        case .etco2: 0...150
        case .temp: 20...45
        }
    }
}

extension Float {
    /// A reading as stored: in Float, and -0 as 0 (a sender's "-0" is no
    /// negative value, and exports would print it with its sign).
    public static func stored(_ reading: Double) -> Float {
        Float(reading) + 0
    }
}
