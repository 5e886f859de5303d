import PhysioCore

/// The evaluation as a few lines and a per-case table for a terminal.
extension Evaluation {
    public func text(maximumCases: Int = 25) -> String {
        var lines = summaryLines()
        lines.append(caseTable(maximum: maximumCases))
        if feeds.isEmpty {
            lines.append("feed subsets (\(feedSource)): one; the numbers above are its own")
        } else {
            lines.append("feed subsets (\(feedSource)): \(feeds.count)")
            for feed in feeds {
                lines.append("")
                lines.append("== feed \(feed.name): \(feed.evaluation.cases.count) cases ==")
                lines += feed.evaluation.summaryLines()
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Everything but the per-case table and the feed subsets.
    func summaryLines() -> [String] {
        var lines: [String] = []
        func f(_ value: Double?, _ digits: Int = 3) -> String { Format.optional(value, digits) }
        func percent(_ value: Double?) -> String { value.map { Format.fixed($0 * 100, 1) + " %" } ?? "–" }
        lines.append("seed protocol (label: any rule true at the sample): \(seed.samples) samples, \(seed.positives) positive")
        lines.append("  AUROC \(f(seed.rocAUC))  AUPRC \(f(seed.averagePrecision))  alarms: precision \(f(seed.precision))  recall \(f(seed.recall))  F1 \(f(seed.f1))  flagged \(percent(seed.flaggedFraction))")
        lines += Self.lines(earlyWarning, title: "early warning", settings: settings)
        if let eventEarlyWarning { lines += Self.lines(eventEarlyWarning, title: "early warning of labelled events", settings: settings) }
        let b = burden
        lines.append("alarm burden over \(Format.fixed(b.hours, 1)) h (episodes merged with a \(Evaluation.seconds(settings.episodeGapSeconds))-s gap):")
        lines.append("  rules \(b.ruleEpisodes) episodes (\(f(b.ruleEpisodesPerHour, 2))/h), model \(b.modelEpisodes) (\(f(b.modelEpisodesPerHour, 2))/h): ratio \(f(b.episodeRatio, 2)); model episodes with no breach near: \(f(b.modelEpisodesAwayFromBreachesPerHour, 2))/h")
        lines.append("  rule episodes flagged first by the model \(percent(b.flaggedFirstShare)), caught \(percent(b.caughtShare)); sustained breaches \(b.sustained): caught \(percent(b.sustainedCaughtShare)), flagged first \(percent(b.sustainedFlaggedFirstShare))")
        if let events {
            lines.append("labelled deteriorations: \(events.events); model detected \(events.modelDetected), rules \(events.rulesDetected); model first in \(events.modelFirst)")
            lines.append("  near misses and benign changes: \(events.falseAlarmCandidates); the model alarmed during \(events.falselyAlarmed)")
            lines.append("  median delay after onset: model \(f(events.medianModelDelay, 0)) s, rules \(f(events.medianRuleDelay, 0)) s; median lead over the rules \(f(events.medianLeadOverRules, 0)) s")
            for (kind, summary) in events.byKind {
                lines.append("  \(kind): \(summary.events) events, model \(summary.modelDetected) (median \(f(summary.medianModelDelay, 0)) s), rules \(summary.rulesDetected) (median \(f(summary.medianRuleDelay, 0)) s)")
            }
        }
        lines += comparison.textLines
        lines.append("targets:")
        for check in Targets(self).checks {
            let mark = check.met.map { $0 ? "met    " : "NOT met" } ?? "n/a    "
            lines.append("  [\(mark)] \(check.name): \(check.requirement) — \(check.measured)")
        }
        return lines
    }

    static func lines(_ result: EarlyWarningResult, title: String, settings: EvaluationSettings) -> [String] {
        guard result.isApplicable, let metrics = result.metrics else {
            return ["\(title): not computed — no case has a median sampling interval of at most \(seconds(settings.maximumSpacingSeconds)) s (\(result.excludedCases) cases); a \(seconds(settings.sustainSeconds))-s breach and a \(seconds(settings.horizonSeconds))-s warning cannot be resolved on such charts"]
        }
        let excluded = result.excludedCases > 0 ? ", \(result.excludedCases) sparse cases left out" : ""
        return ["\(title) (label: \(result.label)): \(metrics.samples) samples not in alarm, \(metrics.positives) positive\(excluded)",
                "  AUROC \(Format.optional(metrics.rocAUC, 3))  AUPRC \(Format.optional(metrics.averagePrecision, 3))  onsets \(result.onsets), warned \(result.warned); median lead \(Format.optional(result.medianLeadSeconds, 0)) s"]
    }

    func caseTable(maximum: Int) -> String {
        let header = ["case", "samples", "hours", "spacing", "pos", "AUROC", "prec", "recall", "EW n", "EW pos", "EW AUROC",
                      "onsets", "warned", "lead s", "rule ep", "model ep", "first"]
        var rows = [header]
        for result in cases.prefix(maximum) {
            let warning = result.earlyWarning
            rows.append([result.caseID, String(result.samples), Format.fixed(result.hours, 2),
                         Format.optional(result.medianSpacingSeconds, 0), String(result.seed.positives),
                         Format.optional(result.seed.rocAUC, 3), Format.optional(result.seed.precision, 3),
                         Format.optional(result.seed.recall, 3),
                         warning.map { String($0.metrics?.samples ?? 0) } ?? "–", warning.map { String($0.metrics?.positives ?? 0) } ?? "–",
                         Format.optional(warning?.metrics?.rocAUC, 3), warning.map { String($0.onsets) } ?? "–",
                         warning.map { String($0.warned) } ?? "–", Format.optional(warning?.medianLeadSeconds, 0),
                         String(result.burden.ruleEpisodes), String(result.burden.modelEpisodes), String(result.burden.flaggedFirst)])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max()! }
        var text = "per case" + (cases.count > maximum ? " (first \(maximum) of \(cases.count); all in the JSON report)" : "") + ":\n"
        for row in rows {
            text += "  " + row.enumerated().map { column, cell in
                column == 0 ? cell + String(repeating: " ", count: widths[column] - cell.count)
                            : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ") + "\n"
        }
        return String(text.dropLast())
    }
}
