import PhysioPlatform
import PhysioCore

/// The evaluation as JSON fields (the caller opens and closes the object,
/// so it can add where the data and the model came from).
extension Evaluation {
    /// `details`: also the curves, the per-case rows and the feed subsets.
    public func writeFields(into json: inout JSONWriter, curvePoints: Int = 200, details: Bool = true) {
        json.key("settings"); json.beginObject()
        json.field("horizon_seconds", settings.horizonSeconds)
        json.field("sustain_seconds", settings.sustainSeconds)
        json.field("episode_gap_seconds", settings.episodeGapSeconds)
        json.field("maximum_spacing_seconds", settings.maximumSpacingSeconds)
        json.endObject()

        json.key("seed_protocol"); json.beginObject()
        json.field("label", "any clinical rule true at the sample (artefact-cleaned values)")
        Self.write(seed, into: &json)
        json.endObject()

        json.key("early_warning"); Self.write(earlyWarning, settings: settings, into: &json)
        json.key("alarm_burden"); Self.write(burden, into: &json)
        if let eventEarlyWarning { json.key("event_early_warning"); Self.write(eventEarlyWarning, settings: settings, into: &json) }
        if let events { json.key("events"); Self.write(events, into: &json) }
        json.key("comparison"); comparison.write(into: &json)

        json.key("targets"); json.beginArray()
        for check in Targets(self).checks {
            json.beginObject()
            json.field("name", check.name)
            json.field("requirement", check.requirement)
            json.key("met"); if let met = check.met { json.value(met) } else { json.null() }
            json.field("measured", check.measured)
            json.endObject()
        }
        json.endArray()
        guard details else { return }

        json.key("curves"); json.beginObject()
        Self.writeCurves("seed_protocol", seedSamples, points: curvePoints, into: &json)
        Self.writeCurves("early_warning", earlyWarningSamples, points: curvePoints, into: &json)
        json.endObject()

        json.key("cases"); json.beginArray()
        for result in cases { Self.write(result, into: &json) }
        json.endArray()

        json.field("feed_source", feedSource)
        json.key("feeds"); json.beginArray()
        for feed in feeds {
            json.beginObject()
            json.field("feed", feed.name)
            json.field("cases_evaluated", feed.evaluation.cases.count)
            json.key("case_ids"); json.beginArray(); feed.evaluation.cases.forEach { json.value($0.caseID) }; json.endArray()
            feed.evaluation.writeFields(into: &json, details: false)
            json.endObject()
        }
        json.endArray()
    }

    static func write(_ metrics: TaskMetrics, into json: inout JSONWriter) {
        json.field("samples", metrics.samples)
        json.field("positives", metrics.positives)
        json.field("roc_auc", metrics.rocAUC)
        json.field("average_precision", metrics.averagePrecision)
        json.field("precision", metrics.precision)
        json.field("recall", metrics.recall)
        json.field("f1", metrics.f1)
        json.field("flagged_fraction", metrics.flaggedFraction)
        let counts = metrics.counts
        json.key("counts"); json.beginObject()
        json.field("tp", counts.truePositives); json.field("fp", counts.falsePositives)
        json.field("tn", counts.trueNegatives); json.field("fn", counts.falseNegatives)
        json.endObject()
    }

    static func write(_ result: EarlyWarningResult, settings: EvaluationSettings, into json: inout JSONWriter) {
        json.beginObject()
        json.field("applicable", result.isApplicable)
        json.field("label", result.label)
        json.field("cases", result.applicableCases)
        json.field("excluded_cases", result.excludedCases)
        if !result.isApplicable {
            json.field("reason", "no case has a median sampling interval of at most \(seconds(settings.maximumSpacingSeconds)) s: "
                + "a \(seconds(settings.sustainSeconds))-s breach and a \(seconds(settings.horizonSeconds))-s warning cannot be resolved on this data")
        } else if let metrics = result.metrics {
            write(metrics, into: &json)
            json.field("onsets", result.onsets)
            json.field("warned", result.warned)
            json.field("warned_share", result.warnedShare)
            json.field("median_lead_seconds", result.medianLeadSeconds)
            json.field("lead_time", "per breach onset o with the whole horizon evaluated before it: o − (first model alarm in [o − horizon, o) at a sample not in alarm); median over warned onsets")
        }
        json.endObject()
    }

    static func write(_ burden: AlarmBurden, into json: inout JSONWriter) {
        json.beginObject()
        json.field("hours", burden.hours)
        json.field("rule_episodes", burden.ruleEpisodes)
        json.field("model_episodes", burden.modelEpisodes)
        json.field("rule_episodes_per_hour", burden.ruleEpisodesPerHour)
        json.field("model_episodes_per_hour", burden.modelEpisodesPerHour)
        json.field("model_to_rule_episode_ratio", burden.episodeRatio)
        json.field("model_episodes_away_from_breaches_per_hour", burden.modelEpisodesAwayFromBreachesPerHour)
        json.field("rule_episodes_flagged_first_share", burden.flaggedFirstShare)
        json.field("rule_episodes_caught_share", burden.caughtShare)
        json.field("sustained_breaches", burden.sustained)
        json.field("sustained_caught_share", burden.sustainedCaughtShare)
        json.field("sustained_flagged_first_share", burden.sustainedFlaggedFirstShare)
        json.endObject()
    }

    static func write(_ events: EventSummary, into json: inout JSONWriter) {
        json.beginObject()
        writeCounts(events, into: &json)
        json.key("by_kind"); json.beginObject()
        for (kind, summary) in events.byKind {
            json.key(kind); json.beginObject(); writeCounts(summary, into: &json); json.endObject()
        }
        json.endObject()
        json.endObject()
    }

    static func writeCounts(_ events: EventSummary, into json: inout JSONWriter) {
        json.field("events", events.events)
        json.field("model_detected", events.modelDetected)
        json.field("rules_detected", events.rulesDetected)
        json.field("model_first", events.modelFirst)
        json.field("median_model_delay_seconds", events.medianModelDelay)
        json.field("median_rule_delay_seconds", events.medianRuleDelay)
        json.field("median_lead_over_rules_seconds", events.medianLeadOverRules)
        json.field("near_misses_and_benign", events.falseAlarmCandidates)
        json.field("near_misses_and_benign_alarmed", events.falselyAlarmed)
    }

    static func write(_ result: CaseResult, into json: inout JSONWriter) {
        json.beginObject()
        json.field("case_id", result.caseID)
        json.field("samples", result.samples)
        json.field("hours", result.hours)
        json.field("median_spacing_seconds", result.medianSpacingSeconds)
        json.key("seed_protocol"); json.beginObject(); write(result.seed, into: &json); json.endObject()
        json.key("early_warning")
        if let warning = result.earlyWarning, let metrics = warning.metrics {
            json.beginObject()
            write(metrics, into: &json)
            json.field("onsets", warning.onsets)
            json.field("warned", warning.warned)
            json.field("median_lead_seconds", warning.medianLeadSeconds)
            json.key("lead_seconds"); json.beginArray(); warning.onsetLeads.forEach { json.value($0) }; json.endArray()
            json.endObject()
        } else { json.null() }
        json.key("alarm_burden"); write(result.burden, into: &json)
        json.field("events", result.events)
        json.endObject()
    }

    static func writeCurves(_ name: String, _ samples: ScoredSamples, points: Int, into json: inout JSONWriter) {
        json.key(name); json.beginObject()
        json.key("roc"); json.beginArray()
        for point in Curves.thinned(Curves.roc(scores: samples.scores, labels: samples.labels), maximum: points) {
            json.beginArray(); json.value(point.falsePositiveRate); json.value(point.truePositiveRate); json.endArray()
        }
        json.endArray()
        json.key("pr"); json.beginArray()
        for point in Curves.thinned(Curves.precisionRecall(scores: samples.scores, labels: samples.labels), maximum: points) {
            json.beginArray(); json.value(point.recall); json.value(point.precision); json.endArray()
        }
        json.endArray()
        json.endObject()
    }
}
