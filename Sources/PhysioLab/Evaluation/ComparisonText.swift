/// The comparison of detector and baselines as a table per task.
extension ScorerComparison {
    public var textLines: [String] {
        guard !tasks.isEmpty else { return [] }
        var lines = ["detector and baselines (AUROC, AUPRC; 95 % intervals by case: \(bootstrap.resamples) resamples of cases, seed \(bootstrap.seed)):"]
        for task in tasks {
            let named = task.task.namedBaseline.map { " (the baseline to beat: \(Scorer($0).title))" } ?? ""
            lines.append("  \(task.task.title)\(named): \(task.cases) case\(task.cases == 1 ? "" : "s"), \(task.samples) samples, \(task.positives) positive"
                + (task.results.first?.rocAUC.interval == nil ? Self.noIntervalReason(task, bootstrap) : ""))
            if task.positives == 0 || task.positives == task.samples { continue }
            var rows = [["scorer", "AUROC", "AUPRC", "detector − scorer, AUROC"]]
            for result in task.results {
                rows.append([result.scorer.title, Self.format(result.rocAUC), Self.format(result.averagePrecision),
                             result.detectorAdvantage.map { Self.format($0, signed: true) } ?? ""])
            }
            lines += Self.table(rows).map { "    " + $0 }
        }
        return lines
    }

    static func noIntervalReason(_ task: TaskComparison, _ bootstrap: CaseBootstrap) -> String {
        if task.positives == 0 || task.positives == task.samples { return " (one class only: nothing to rank)" }
        if task.cases < 2 { return " (one case: no interval by case)" }
        return " (no interval: \(task.validResamples) of \(bootstrap.resamples) resamples have both classes)"
    }

    static func format(_ estimate: Estimate, signed: Bool = false) -> String {
        func number(_ value: Double) -> String { (signed && value >= 0 ? "+" : "") + Format.fixed(value, 3) }
        guard let value = estimate.value else { return "–" }
        guard let interval = estimate.interval else { return number(value) }
        return number(value) + " [" + number(interval.lowerBound) + ", " + number(interval.upperBound) + "]"
    }

    /// Left-aligned first column, the others right-aligned.
    static func table(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
    }
}

private extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
