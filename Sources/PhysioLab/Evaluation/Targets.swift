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

    /// The targets of the detector issue: seed AUROC, early warning at the
    /// horizon beside the best baseline, every sustained breach caught, and
    /// the alarm burden against the rules'.
    public init(_ evaluation: Evaluation) {
        let seed = evaluation.seed, burden = evaluation.burden
        var checks = [Check(name: "seed_protocol", requirement: "AUROC ≥ 0.97",
                            met: seed.rocAUC.map { $0 >= 0.97 },
                            measured: "AUROC \(Self.format(seed.rocAUC)), precision \(Self.format(seed.precision))")]
        let warning = evaluation.earlyWarning
        let best = evaluation.comparison.task(.earlyWarning)?.bestBaseline
        let bestAUC = best?.rocAUC.value
        var measured = warning.isApplicable ? "AUROC \(Self.format(warning.metrics?.rocAUC))" : "not applicable (sampling too sparse)"
        if warning.isApplicable, let best { measured += "; best baseline \(best.scorer.title) \(Self.format(bestAUC))" }
        checks.append(Check(name: "early_warning",
                            requirement: "AUROC ≥ 0.85 at \(Evaluation.seconds(evaluation.settings.horizonSeconds)) s, and ≥ the best baseline's + 0.03",
                            met: warning.metrics?.rocAUC.map { auc in auc >= 0.85 && bestAUC.map { auc >= $0 + 0.03 } ?? true },
                            measured: measured))
        if let events = evaluation.eventEarlyWarning {
            checks.append(Check(name: "early_warning_labelled_events", requirement: "AUROC ≥ 0.85",
                                met: events.metrics?.rocAUC.map { $0 >= 0.85 },
                                measured: "AUROC \(Self.format(events.metrics?.rocAUC))"))
        }
        checks.append(Check(name: "sustained_breaches", requirement: "every rule breach lasting ≥ \(Evaluation.seconds(evaluation.settings.sustainSeconds)) s met by a detector alarm (from the horizon before it to its end)",
                            met: burden.sustained > 0 ? burden.sustainedCaught == burden.sustained : nil,
                            measured: "\(burden.sustainedCaught) of \(burden.sustained)"))
        let ratio = burden.episodeRatio, sensitivity = burden.sustainedCaughtShare
        checks.append(Check(name: "alarm_burden",
                            requirement: "model episodes/h ≤ ½ × rule episodes/h, catching ≥ 90 % of sustained breaches",
                            met: Self.both(ratio.map { $0 <= 0.5 }, sensitivity.map { $0 >= 0.9 }),
                            measured: "ratio \(Self.format(ratio)), sustained breaches caught \(Self.format(sensitivity)), median lead \(Format.optional(warning.medianLeadSeconds, 0)) s"))
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
