import PhysioCore

/// The project's targets, checked on one evaluation.
public struct Targets: Sendable {
    public struct Check: Sendable {
        public let name: String
        public let requirement: String
        /// nil when the evaluation cannot say (e.g. no early warning on hourly charts).
        public let met: Bool?
        public let measured: String
    }

    public let checks: [Check]

    public init(_ evaluation: Evaluation) {
        let seed = evaluation.seed, burden = evaluation.burden
        var checks = [Check(name: "seed_protocol", requirement: "AUROC ≥ 0.99 and precision ≥ 0.97",
                            met: Self.both(seed.rocAUC.map { $0 >= 0.99 }, seed.precision.map { $0 >= 0.97 }),
                            measured: "AUROC \(Self.format(seed.rocAUC)), precision \(Self.format(seed.precision))")]
        let warning = evaluation.earlyWarning
        checks.append(Check(name: "early_warning", requirement: "AUROC ≥ 0.85 at \(Evaluation.seconds(evaluation.settings.horizonSeconds)) s",
                            met: warning.metrics?.rocAUC.map { $0 >= 0.85 },
                            measured: warning.isApplicable ? "AUROC \(Self.format(warning.metrics?.rocAUC))" : "not applicable (sampling too sparse)"))
        if let events = evaluation.eventEarlyWarning {
            checks.append(Check(name: "early_warning_labelled_events", requirement: "AUROC ≥ 0.85",
                                met: events.metrics?.rocAUC.map { $0 >= 0.85 },
                                measured: "AUROC \(Self.format(events.metrics?.rocAUC))"))
        }
        let ratio = burden.episodeRatio, sensitivity = burden.sustainedCaughtShare
        checks.append(Check(name: "alarm_burden",
                            requirement: "model episodes/h ≤ ½ × rule episodes/h, catching ≥ 90 % of sustained breaches",
                            met: Self.both(ratio.map { $0 <= 0.5 }, sensitivity.map { $0 >= 0.9 }),
                            measured: "ratio \(Self.format(ratio)), sustained breaches caught \(Self.format(sensitivity))"))
        self.checks = checks
    }

    static func both(_ a: Bool?, _ b: Bool?) -> Bool? {
        guard let a, let b else { return nil }
        return a && b
    }

    static func format(_ value: Double?) -> String {
        guard let value else { return "n/a" }
        return Format.fixed(value, 3)
    }
}

/// Fixed-point formatting without Foundation.
enum Format {
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return String(value) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (abs(value) * scale).rounded()
        let whole = Int(rounded / scale), fraction = Int(rounded - Double(whole) * scale)
        let sign = value < 0 && rounded > 0 ? "-" : ""
        guard digits > 0 else { return sign + String(whole) }
        let fractionText = String(fraction)
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }

    static func optional(_ value: Double?, _ digits: Int) -> String { value.map { fixed($0, digits) } ?? "–" }
}
