import PhysioCore
import PhysioPlatform

/// Clinicians' verdicts as ground truth for the episodes they annotated:
/// the precision of the alarms (true alarms among those judged true, false
/// or artefact; `not_sure` left out), by what raised them and, for the
/// model's, by reason; beside it what threshold labels say of the same
/// episodes (a clinical rule crossed in the episode counts as a true alarm),
/// and how often the two agree. 95 % intervals by the bootstrap by case.
public struct ClinicianPrecision: Sendable {
    /// Verdicts of a set of episodes.
    public struct Counts: Sendable, Equatable {
        public var episodes = 0
        public var trueAlarm = 0
        public var falseAlarm = 0
        public var artefact = 0
        public var notSure = 0
        /// Among the decided (not `not_sure`): a clinical rule crossed in the episode.
        public var thresholdCrossed = 0
        /// Decided episodes where the threshold label and the clinician agree.
        public var agreeing = 0

        public var decided: Int { trueAlarm + falseAlarm + artefact }
        public var precision: Double? { decided > 0 ? Double(trueAlarm) / Double(decided) : nil }
        public var thresholdPrecision: Double? { decided > 0 ? Double(thresholdCrossed) / Double(decided) : nil }
        public var agreement: Double? { decided > 0 ? Double(agreeing) / Double(decided) : nil }

        mutating func add(_ episode: ReviewedEpisode) {
            guard let verdict = episode.verdict else { return }
            episodes += 1
            switch verdict {
            case .trueAlarm: trueAlarm += 1
            case .falseAlarm: falseAlarm += 1
            case .artefact: artefact += 1
            case .notSure: notSure += 1
            }
            guard let isTrue = verdict.isTrue else { return }
            if episode.thresholdCrossed { thresholdCrossed += 1 }
            if episode.thresholdCrossed == isTrue { agreeing += 1 }
        }
    }

    /// One row: its counts and the intervals of its two precisions.
    public struct Row: Sendable {
        public let name: String
        public let counts: Counts
        public let precisionInterval: ClosedRange<Double>?
        public let thresholdPrecisionInterval: ClosedRange<Double>?
    }

    public let episodes: [ReviewedEpisode]
    /// Actions on episodes that no longer exist (left out).
    public let dropped: Int
    /// By what raised the episode: the model's (model or both), model alone, both, rule alone, all.
    public let bySource: [Row]
    /// The model's episodes by the reason given with the verdict ("(none)": no reason).
    public let byReason: [Row]

    public init(labels: [ClinicianLabel], bootstrap: CaseBootstrap) {
        let reduced = ReviewedEpisode.from(labels)
        episodes = reduced.episodes
        dropped = reduced.dropped
        let annotated = episodes.filter { $0.verdict != nil }
        func row(_ name: String, _ members: [ReviewedEpisode]) -> Row {
            Self.row(name, members, bootstrap: bootstrap)
        }
        bySource = [
            row("model-raised (model, both)", annotated.filter(\.modelRaised)),
            row("  model alone (warning)", annotated.filter { $0.source == "model" }),
            row("  both (warning + breach)", annotated.filter { $0.source == "both" }),
            row("rule alone (safety floor)", annotated.filter { $0.source == "rule" }),
            row("all annotated", annotated),
        ]
        let model = annotated.filter(\.modelRaised)
        byReason = (ReviewReason.allCases.map(Optional.some) + [nil]).compactMap { reason in
            let members = model.filter { $0.reason == reason }
            return members.isEmpty ? nil : row(reason?.rawValue ?? "(none)", members)
        }
    }

    static func row(_ name: String, _ members: [ReviewedEpisode], bootstrap: CaseBootstrap) -> Row {
        var counts = Counts()
        var byCase: [String: Counts] = [:]
        for episode in members {
            counts.add(episode)
            byCase[episode.caseID, default: Counts()].add(episode)
        }
        // Whole cases drawn with replacement: a case's episodes are not independent of each other.
        let cases = byCase.keys.sorted().map { byCase[$0]! }
        let stream = CaseBootstrap.stream(named: "clinician " + name)
        let precisions = bootstrap.ratioInterval(cases.map { ($0.trueAlarm, $0.decided) }, stream: stream)
        let thresholdPrecisions = bootstrap.ratioInterval(cases.map { ($0.thresholdCrossed, $0.decided) }, stream: stream)
        return Row(name: name, counts: counts, precisionInterval: precisions, thresholdPrecisionInterval: thresholdPrecisions)
    }

    public var caseCount: Int { Set(episodes.map(\.caseID)).count }
    public var acknowledgedOnly: Int { episodes.filter { $0.acknowledged && $0.verdict == nil }.count }
    public var contested: Int { episodes.filter(\.contested).count }
    public var annotatedCount: Int { episodes.filter { $0.verdict != nil }.count }
}

extension ClinicianPrecision {
    public func text(source: String) -> String {
        var lines = [
            "clinicians' verdicts (\(source)): \(annotatedCount) annotated episodes in \(caseCount) cases; "
                + "\(acknowledgedOnly) acknowledged only; \(contested) contested (reviewers' latest verdicts differ); "
                + "\(dropped) actions on episodes that no longer exist, left out",
            "  precision = true alarms / (true + false alarms + artefacts), not_sure left out; the standing verdict is the latest annotation",
            "  threshold label: a clinical rule crossed in the episode counts as a true alarm; agree: it says what the clinician said",
            "  95 % intervals: bootstrap by case",
            "",
        ]
        let header = ["", "episodes", "true", "false", "artefact", "not sure", "precision", "threshold-label precision", "agree"]
        lines += ScorerComparison.table([header] + bySource.map(Self.cells))
        if !byReason.isEmpty {
            lines += ["", "model-raised episodes by the reason given:"]
            lines += ScorerComparison.table([["reason"] + header.dropFirst()] + byReason.map(Self.cells))
        }
        return lines.joined(separator: "\n")
    }

    static func cells(_ row: Row) -> [String] {
        let counts = row.counts
        return [row.name, String(counts.episodes), String(counts.trueAlarm), String(counts.falseAlarm), String(counts.artefact),
                String(counts.notSure), estimate(counts.precision, row.precisionInterval),
                estimate(counts.thresholdPrecision, row.thresholdPrecisionInterval), Format.optional(counts.agreement, 2)]
    }

    static func estimate(_ value: Double?, _ interval: ClosedRange<Double>?) -> String {
        guard let value else { return "–" }
        guard let interval else { return Format.fixed(value, 2) }
        return "\(Format.fixed(value, 2)) [\(Format.fixed(interval.lowerBound, 2)), \(Format.fixed(interval.upperBound, 2))]"
    }

    /// The `clinician_labels` member of the JSON report.
    public func write(source: String, into json: inout JSONWriter) {
        json.beginObject()
        json.field("source", source)
        json.field("annotated_episodes", annotatedCount)
        json.field("cases", caseCount)
        json.field("acknowledged_only", acknowledgedOnly)
        json.field("contested", contested)
        json.field("actions_on_missing_episodes", dropped)
        json.key("by_source"); json.beginArray()
        bySource.forEach { Self.write($0, name: $0.name.trimmingLeadingSpaces, into: &json) }
        json.endArray()
        json.key("model_by_reason"); json.beginArray()
        byReason.forEach { Self.write($0, name: $0.name, into: &json) }
        json.endArray()
        json.endObject()
    }

    static func write(_ row: Row, name: String, into json: inout JSONWriter) {
        let counts = row.counts
        json.beginObject()
        json.field("group", name)
        json.field("episodes", counts.episodes)
        json.field("true_alarm", counts.trueAlarm)
        json.field("false_alarm", counts.falseAlarm)
        json.field("artefact", counts.artefact)
        json.field("not_sure", counts.notSure)
        json.field("precision", counts.precision)
        interval("precision_interval", row.precisionInterval, into: &json)
        json.field("threshold_crossed", counts.thresholdCrossed)
        json.field("threshold_label_precision", counts.thresholdPrecision)
        interval("threshold_label_precision_interval", row.thresholdPrecisionInterval, into: &json)
        json.field("agreement", counts.agreement)
        json.endObject()
    }

    static func interval(_ name: String, _ interval: ClosedRange<Double>?, into json: inout JSONWriter) {
        json.key(name)
        guard let interval else { return json.null() }
        json.beginArray(); json.value(interval.lowerBound); json.value(interval.upperBound); json.endArray()
    }
}

private extension String {
    var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}
