import PhysioPlatform

/// The comparison of detector and baselines as a JSON object.
extension ScorerComparison {
    public func write(into json: inout JSONWriter) {
        json.beginObject()
        json.key("bootstrap"); json.beginObject()
        json.field("resamples", bootstrap.resamples)
        json.field("seed", Int(truncatingIfNeeded: bootstrap.seed))
        json.field("method", "cases resampled with replacement (as many as there are); 95 % percentile interval over resamples with both classes; every scorer on the same resamples")
        json.endObject()
        json.key("scorers"); json.beginArray()
        for scorer in scorers {
            json.beginObject()
            json.field("id", scorer.id)
            json.field("title", scorer.title)
            json.field("definition", Baseline(rawValue: scorer.id)?.definition ?? "the detector under evaluation")
            json.endObject()
        }
        json.endArray()
        json.key("tasks"); json.beginObject()
        for task in tasks {
            json.key(task.task.rawValue); json.beginObject()
            json.field("cases", task.cases)
            json.field("samples", task.samples)
            json.field("positives", task.positives)
            json.field("valid_resamples", task.validResamples)
            json.key("named_baseline"); if let named = task.task.namedBaseline { json.value(named.rawValue) } else { json.null() }
            json.field("best_baseline", task.bestBaseline?.scorer.id)
            json.key("scorers"); json.beginObject()
            for result in task.results {
                json.key(result.scorer.id); json.beginObject()
                Self.write("roc_auc", result.rocAUC, into: &json)
                Self.write("average_precision", result.averagePrecision, into: &json)
                if let advantage = result.detectorAdvantage { Self.write("detector_minus_this_roc_auc", advantage, into: &json) }
                json.endObject()
            }
            json.endObject()
            json.endObject()
        }
        json.endObject()
        json.endObject()
    }

    /// `name` and `name_ci` ([low, high], or null).
    static func write(_ name: String, _ estimate: Estimate, into json: inout JSONWriter) {
        json.field(name, estimate.value)
        json.key(name + "_ci")
        if let interval = estimate.interval {
            json.beginArray(); json.value(interval.lowerBound); json.value(interval.upperBound); json.endArray()
        } else { json.null() }
    }
}
