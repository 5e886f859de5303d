import PhysioCore
import PhysioPlatform

/// A candidate detector judged by clinicians' past verdicts. Each episode
/// the server raised and a clinician annotated was judged on what the
/// reviewer saw: its span then (`reviewed_start`…`reviewed_end` of the
/// standing verdict). Run offline on the same case's samples, the
/// candidate either alarms somewhere in that span or not. So a change to
/// the detector can be weighed on verdicts already given: true alarms it
/// keeps, false alarms and artefacts it no longer raises. Its alarms where
/// nobody reviewed anything are counted, not judged: the verdicts cannot
/// say whether they are true.
public struct VerdictReplay: Sendable {
    /// One annotated episode and what the candidate did in its span.
    public struct Judged: Sendable, Equatable {
        public let caseID: String
        public let verdict: ReviewVerdict
        public let reason: ReviewReason?
        public let alarmed: Bool
        /// Seconds from the reviewed span's start to the start of the candidate's
        /// earliest alarm episode that overlaps the span (negative: it warned
        /// earlier); nil when it did not alarm.
        public let onsetShift: Double?
    }

    /// Per verdict: episodes, and how many of them the candidate alarmed in.
    public struct Tally: Sendable, Equatable {
        public var episodes = 0
        public var alarmed = 0
        public var share: Double? { episodes > 0 ? Double(alarmed) / Double(episodes) : nil }
    }

    public let judged: [Judged]
    /// Annotated episodes whose case is not in the data, or none of whose span's samples was evaluated.
    public let outsideData: Int
    /// Of those, the ones whose case is in the data: its times miss the span.
    public let caseWithoutSpanSamples: Int
    /// Annotated episodes with no reviewed span in the file (a file cut to fewer columns).
    public let withoutSpan: Int
    /// The candidate's own alarm episodes, in the judged cases, that touch no reviewed span.
    public let unreviewedEpisodes: Int
    public let byVerdict: [ReviewVerdict: Tally]
    /// The false alarms and artefacts by the reason given (nil: none), in `ReviewReason` order.
    public let wrongByReason: [(reason: ReviewReason?, tally: Tally)]
    /// True alarms among the decided episodes the candidate alarmed in.
    public let candidatePrecision: Double?
    public let candidateInterval: ClosedRange<Double>?
    /// True alarms among the same decided episodes, all of which the server raised.
    public let serverPrecision: Double?
    public let serverInterval: ClosedRange<Double>?

    /// `reviewed`: every reviewed episode (acknowledged-only ones too: a span
    /// someone looked at is not "unreviewed"); `cases`: the candidate's output.
    public init(reviewed: [ReviewedEpisode], cases: [CaseScores], episodeGapSeconds: Double, bootstrap: CaseBootstrap) {
        let caseByID = Dictionary(cases.map { ($0.caseID, $0) }, uniquingKeysWith: { first, _ in first })
        var candidateEpisodes: [String: [Episode]] = [:]
        func episodes(of caseID: String) -> [Episode] {
            if let known = candidateEpisodes[caseID] { return known }
            let scores = caseByID[caseID]!
            let merged = AlarmEpisodes.merge(caseID: caseID, timestamps: scores.timestamps, rows: scores.evaluated,
                                             gapSeconds: episodeGapSeconds) { scores.alarm(row: $0) }
            candidateEpisodes[caseID] = merged
            return merged
        }
        var judged: [Judged] = [], outside = 0, missed = 0, withoutSpan = 0
        for episode in reviewed {
            guard let verdict = episode.verdict else { continue }
            guard let span = episode.reviewedSpan else { withoutSpan += 1; continue }
            guard let scores = caseByID[episode.caseID] else { outside += 1; continue }
            guard let alarmed = Self.alarmed(scores, in: span) else { outside += 1; missed += 1; continue }
            let overlapping = alarmed ? episodes(of: episode.caseID).first { span.overlaps($0.start...$0.end) } : nil
            judged.append(Judged(caseID: episode.caseID, verdict: verdict, reason: episode.reason, alarmed: alarmed,
                                 onsetShift: overlapping.map { Double($0.start - span.lowerBound) / 1e6 }))
        }
        self.judged = judged
        outsideData = outside
        caseWithoutSpanSamples = missed
        self.withoutSpan = withoutSpan
        var tallies: [ReviewVerdict: Tally] = [:]
        for entry in judged {
            tallies[entry.verdict, default: Tally()].episodes += 1
            if entry.alarmed { tallies[entry.verdict, default: Tally()].alarmed += 1 }
        }
        byVerdict = tallies
        let wrong = judged.filter { $0.verdict.isTrue == false }
        wrongByReason = (ReviewReason.allCases.map(Optional.some) + [nil]).compactMap { reason in
            let members = wrong.filter { $0.reason == reason }
            return members.isEmpty ? nil : (reason, Tally(episodes: members.count, alarmed: members.filter(\.alarmed).count))
        }

        let spans = Dictionary(grouping: reviewed.compactMap { episode in episode.reviewedSpan.map { (episode.caseID, $0) } }, by: \.0)
        var unreviewed = 0
        for caseID in Set(judged.map(\.caseID)) {
            let seen = spans[caseID]?.map(\.1) ?? []
            unreviewed += episodes(of: caseID).filter { episode in !seen.contains { $0.overlaps(episode.start...episode.end) } }.count
        }
        unreviewedEpisodes = unreviewed

        // Precision per case, for the bootstrap by case: (true alarms, decided).
        let decided = judged.filter { $0.verdict.isTrue != nil }
        func parts(_ members: [Judged]) -> [(Int, Int)] {
            Dictionary(grouping: members, by: \.caseID).sorted { $0.key < $1.key }.map { _, ofCase in
                (ofCase.filter { $0.verdict == .trueAlarm }.count, ofCase.count)
            }
        }
        let candidate = parts(decided.filter(\.alarmed)), server = parts(decided)
        candidatePrecision = Self.ratio(candidate)
        serverPrecision = Self.ratio(server)
        candidateInterval = bootstrap.ratioInterval(candidate, stream: CaseBootstrap.stream(named: "verdict replay candidate"))
        serverInterval = bootstrap.ratioInterval(server, stream: CaseBootstrap.stream(named: "verdict replay server"))
    }

    /// Whether the candidate alarmed at an evaluated row within `span`; nil when no evaluated row lies in it.
    static func alarmed(_ scores: CaseScores, in span: ClosedRange<Int64>) -> Bool? {
        let first = SortedTimes.firstIndex(scores.timestamps, atOrAfter: span.lowerBound, in: scores.evaluated)
        let end = SortedTimes.firstIndex(scores.timestamps, atOrAfter: span.upperBound + 1, in: first..<scores.evaluated.upperBound)
        return first == end ? nil : (first..<end).contains { scores.alarm(row: $0) }
    }

    static func ratio(_ parts: [(Int, Int)]) -> Double? {
        let denominator = parts.reduce(0) { $0 + $1.1 }
        return denominator > 0 ? Double(parts.reduce(0) { $0 + $1.0 }) / Double(denominator) : nil
    }

    public var decidedCount: Int { judged.filter { $0.verdict.isTrue != nil }.count }

    /// The onset shifts of the true alarms the candidate kept, ascending.
    public var trueAlarmShifts: [Double] { judged.filter { $0.verdict == .trueAlarm }.compactMap(\.onsetShift).sorted() }

    /// Their median (nil: none kept).
    public var medianTrueAlarmShift: Double? { Median.of(trueAlarmShifts) }
}

extension VerdictReplay {
    public func text(candidate: String) -> String {
        var lines = [
            "the candidate (\(candidate)) against clinicians' verdicts: \(judged.count) annotated episodes judged on the span the reviewer saw; "
                + "\(outsideData) outside the data, \(withoutSpan) without a reviewed span, left out",
            "  alarmed: the candidate alarms at some sample of that span (a true alarm kept; a false alarm or artefact still raised)",
        ]
        if caseWithoutSpanSamples > 0 {
            lines.append("  \(caseWithoutSpanSamples) of those left out have their case in the data but no evaluated sample in the span: "
                         + "a case read with t_seconds counts from 1970 (give the vitals export, whose t is the real time), or --from/--until cut it")
        }
        lines.append("")
        let rows = ReviewVerdict.allCases.map { verdict in
            let tally = byVerdict[verdict] ?? Tally()
            return [verdict.rawValue, String(tally.episodes), String(tally.alarmed), Format.optional(tally.share, 2)]
        }
        lines += ScorerComparison.table([["verdict", "episodes", "candidate alarmed", "share"]] + rows)
        if !wrongByReason.isEmpty {
            lines += ["", "false alarms and artefacts by the reason given:"]
            lines += ScorerComparison.table([["reason", "episodes", "candidate alarmed", "share"]] + wrongByReason.map {
                [$0.reason?.rawValue ?? "(none)", String($0.tally.episodes), String($0.tally.alarmed), Format.optional($0.tally.share, 2)]
            })
        }
        lines += [
            "",
            "  precision, true alarms / (true + false alarms + artefacts) of the \(decidedCount) decided episodes: "
                + "as raised \(ClinicianPrecision.estimate(serverPrecision, serverInterval)); "
                + "the candidate's \(ClinicianPrecision.estimate(candidatePrecision, candidateInterval)) (95 % intervals: bootstrap by case)",
            "  true alarms kept: the candidate's episode starts \(Self.shiftText(medianTrueAlarmShift)) the one reviewed (median; "
                + "\(trueAlarmShifts.filter { $0 < 0 }.count) earlier, \(trueAlarmShifts.filter { $0 > 0 }.count) later, "
                + "\(trueAlarmShifts.filter { $0 == 0 }.count) at its start)",
            "  the candidate's alarm episodes on no reviewed span, in the judged cases: \(unreviewedEpisodes) (not judged: nobody reviewed them)",
        ]
        return lines.joined(separator: "\n")
    }

    static func shiftText(_ seconds: Double?) -> String {
        guard let seconds else { return "– s from" }
        if seconds == 0 { return "with" }
        return "\(Format.fixed(abs(seconds), 0)) s " + (seconds < 0 ? "before" : "after")
    }

    /// The `verdict_replay` member of the JSON report.
    public func write(candidate: String, into json: inout JSONWriter) {
        json.beginObject()
        json.field("candidate", candidate)
        json.field("judged_episodes", judged.count)
        json.field("outside_data", outsideData)
        json.field("case_without_span_samples", caseWithoutSpanSamples)
        json.field("without_reviewed_span", withoutSpan)
        json.field("unreviewed_candidate_episodes", unreviewedEpisodes)
        json.key("by_verdict"); json.beginArray()
        for verdict in ReviewVerdict.allCases { Self.write(("verdict", verdict.rawValue), byVerdict[verdict] ?? Tally(), into: &json) }
        json.endArray()
        json.key("wrong_by_reason"); json.beginArray()
        for (reason, tally) in wrongByReason { Self.write(("reason", reason?.rawValue ?? "(none)"), tally, into: &json) }
        json.endArray()
        json.field("true_alarm_onset_shift_median_seconds", medianTrueAlarmShift)
        json.key("true_alarm_onset_shifts_seconds"); json.beginArray()
        trueAlarmShifts.forEach { json.value($0) }
        json.endArray()
        json.field("precision_as_raised", serverPrecision)
        ClinicianPrecision.interval("precision_as_raised_interval", serverInterval, into: &json)
        json.field("candidate_precision", candidatePrecision)
        ClinicianPrecision.interval("candidate_precision_interval", candidateInterval, into: &json)
        json.endObject()
    }

    /// One tally as an object, named by `group` (key, value).
    static func write(_ group: (key: String, value: String), _ tally: Tally, into json: inout JSONWriter) {
        json.beginObject()
        json.field(group.key, group.value)
        json.field("episodes", tally.episodes)
        json.field("candidate_alarmed", tally.alarmed)
        json.field("share", tally.share)
        json.endObject()
    }
}
