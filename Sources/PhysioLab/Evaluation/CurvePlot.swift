import PhysioCore

/// ROC and precision–recall curves of both tasks as one hand-written SVG:
/// a 2 × 2 grid (rows: seed protocol, early warning; columns: ROC, PR), each
/// curve with its area in the legend and a dot where the detector's alarms sit.
public struct CurvePlot {
    /// One detector's samples for both tasks.
    public struct Series: Sendable {
        public let name: String
        public let seed: ScoredSamples
        public let earlyWarning: ScoredSamples
        /// Whether the scorer alarms (a dot marks its alarms); baselines only rank.
        public let showsAlarms: Bool

        public init(name: String, seed: ScoredSamples, earlyWarning: ScoredSamples, showsAlarms: Bool = true) {
            self.name = name
            self.seed = seed
            self.earlyWarning = earlyWarning
            self.showsAlarms = showsAlarms
        }
    }

    public let title: String
    public let subtitle: String
    public let series: [Series]
    /// Shown in the early-warning panels when that task cannot be computed.
    public let earlyWarningNote: String?

    static let colors = ["#1f5fa8", "#d1495b", "#2a9d8f", "#7b4ea3", "#e09f3e", "#6c757d"]
    static let panel = 300.0, margin = (left: 62.0, right: 24.0, top: 70.0, bottom: 56.0)
    static let header = 64.0

    /// Row headings: what each task's label is.
    public let seedHeading: String
    public let earlyWarningHeading: String

    public init(title: String, subtitle: String = "", series: [Series], earlyWarningNote: String? = nil,
                seedHeading: String = "Seed protocol — label: a clinical rule is true at the sample",
                earlyWarningHeading: String = "Early warning — label: a sustained breach starts within the horizon") {
        self.seedHeading = seedHeading
        self.earlyWarningHeading = earlyWarningHeading
        self.title = title
        self.subtitle = subtitle
        self.series = series
        self.earlyWarningNote = earlyWarningNote
    }

    public var svg: String {
        let cell = (width: Self.margin.left + Self.panel + Self.margin.right, height: Self.margin.top + Self.panel + Self.margin.bottom)
        let width = 2 * cell.width, height = Self.header + 2 * cell.height
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += text(x: width / 2, y: 28, title, size: 18, anchor: "middle", weight: "bold")
        if !subtitle.isEmpty { out += text(x: width / 2, y: 50, subtitle, size: 12, anchor: "middle", fill: "#555") }
        let tasks: [(String, KeyPath<Series, ScoredSamples>, String?)] = [
            (seedHeading, \.seed, nil),
            (earlyWarningHeading, \.earlyWarning, earlyWarningNote),
        ]
        for (row, task) in tasks.enumerated() {
            let top = Self.header + Double(row) * cell.height
            var heading = task.0
            if task.2 == nil, let first = series.first?[keyPath: task.1] {
                heading += " (\(first.count) samples, \(first.positives) +)"
            }
            out += line(16, top + 8, width - 16, top + 8, stroke: "#bbb")
            out += text(x: width / 2, y: top + 30, heading, size: 13, anchor: "middle", weight: "bold")
            for column in 0..<2 {
                let x = Double(column) * cell.width + Self.margin.left
                let y = Self.header + Double(row) * cell.height + Self.margin.top
                out += panel(x: x, y: y, roc: column == 0, samples: series.map { $0[keyPath: task.1] }, note: task.2)
            }
        }
        return out + "</svg>\n"
    }

    private func panel(x: Double, y: Double, roc: Bool, samples: [ScoredSamples], note: String?) -> String {
        let size = Self.panel
        func px(_ v: Double) -> Double { x + v * size }
        func py(_ v: Double) -> Double { y + (1 - v) * size }
        var out = "<g>\n"
        out += text(x: x + size / 2, y: y - 12, roc ? "ROC" : "Precision–recall", size: 12.5, anchor: "middle", weight: "bold")
        for tick in stride(from: 0.0, through: 1.0001, by: 0.2) {
            out += line(px(tick), py(0), px(tick), py(1), stroke: "#e6e6e6")
            out += line(px(0), py(tick), px(1), py(tick), stroke: "#e6e6e6")
            out += text(x: px(tick), y: py(0) + 16, Format.fixed(tick, 1), size: 11, anchor: "middle")
            out += text(x: px(0) - 6, y: py(tick) + 4, Format.fixed(tick, 1), size: 11, anchor: "end")
        }
        out += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(size))\" height=\"\(n(size))\" fill=\"none\" stroke=\"#333\"/>\n"
        out += text(x: x + size / 2, y: py(0) + 36, roc ? "false-positive rate" : "recall", size: 12, anchor: "middle")
        out += "<text x=\"\(n(x - 44))\" y=\"\(n(y + size / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 \(n(x - 44)) \(n(y + size / 2)))\">\(roc ? "true-positive rate" : "precision")</text>\n"
        if let note {
            out += text(x: x + size / 2, y: y + size / 2 - 8, "not computed:", size: 13, anchor: "middle", weight: "bold", fill: "#a33")
            for (i, piece) in Self.wrap(note, width: 44).enumerated() {
                out += text(x: x + size / 2, y: y + size / 2 + 12 + Double(i) * 16, piece, size: 12, anchor: "middle", fill: "#a33")
            }
            return out + "</g>\n"
        }
        if roc { out += line(px(0), py(0), px(1), py(1), stroke: "#999", dash: true) }
        var legend: [(String, String)] = []
        for (index, samples) in samples.enumerated() {
            let color = Self.colors[index % Self.colors.count]
            let metrics = TaskMetrics(samples)
            if !roc, index == 0, samples.count > 0 {
                let base = Double(samples.positives) / Double(samples.count)
                out += line(px(0), py(base), px(1), py(base), stroke: "#999", dash: true)
            }
            let points: [(Double, Double)] = roc
                ? Curves.thinned(Curves.roc(scores: samples.scores, labels: samples.labels), maximum: 600).map { ($0.falsePositiveRate, $0.truePositiveRate) }
                : Curves.thinned(Self.untilFullRecall(Curves.precisionRecall(scores: samples.scores, labels: samples.labels)), maximum: 600)
                    .map { ($0.recall, $0.precision) }
            guard !points.isEmpty else { legend.append((color, "\(series[index].name): one class only")); continue }
            let path = points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(n(px($0.element.0))),\(n(py($0.element.1)))" }.joined()
            out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            let counts = metrics.counts
            let operating: (Double, Double)? = roc
                ? (counts.falsePositives + counts.trueNegatives > 0 ? (Double(counts.falsePositives) / Double(counts.falsePositives + counts.trueNegatives), metrics.recall ?? 0) : nil)
                : metrics.precision.map { (metrics.recall ?? 0, $0) }
            if series[index].showsAlarms, let operating {
                out += "<circle cx=\"\(n(px(operating.0)))\" cy=\"\(n(py(operating.1)))\" r=\"4.5\" fill=\"\(color)\" stroke=\"white\" stroke-width=\"1.5\"/>\n"
            }
            let area = roc ? metrics.rocAUC : metrics.averagePrecision
            legend.append((color, "\(series[index].name): \(roc ? "AUROC" : "AUPRC") \(Format.optional(area, 3))"))
        }
        let dotNote = series.contains(where: \.showsAlarms)
        let rows = Double(legend.count - 1) + (dotNote ? 1 : 0)
        let legendX = roc ? px(0.27) : px(0.04), legendY = (roc ? py(0.08) : py(0.04)) - rows * 18
        let boxHeight = Double(legend.count) * 18 + (dotNote ? 22 : 4)
        out += "<rect x=\"\(n(legendX - 6))\" y=\"\(n(legendY - 14))\" width=\"\(n(size * 0.71))\" height=\"\(n(boxHeight))\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#ccc\"/>\n"
        for (i, entry) in legend.enumerated() {
            let ly = legendY + Double(i) * 18
            out += line(legendX, ly - 4, legendX + 18, ly - 4, stroke: entry.0, width: 2.5)
            out += text(x: legendX + 24, y: ly, entry.1, size: 11.5)
        }
        if dotNote { out += text(x: legendX + 24, y: legendY + Double(legend.count) * 18, "● = the detector's alarms", size: 10.5, fill: "#555") }
        return out + "</g>\n"
    }

    /// The PR curve up to the first point of full recall, as scikit-learn draws it
    /// (lower thresholds only add false positives: a vertical drop to the base rate).
    static func untilFullRecall(_ points: [Curves.PRPoint]) -> [Curves.PRPoint] {
        guard let end = points.firstIndex(where: { $0.recall >= 1 }) else { return points }
        return Array(points[...end])
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: Bool = false) -> String {
        "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"\(dash ? " stroke-dasharray=\"4 4\"" : "")/>\n"
    }

    private func text(x: Double, y: Double, _ content: String, size: Double, anchor: String = "start", weight: String = "normal", fill: String = "#222") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"\(fill)\">\(Self.escape(content))</text>\n"
    }

    private func n(_ value: Double) -> String { Format.fixed(value, 1) }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Words of `text` in lines of at most `width` characters.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > width { lines.append(current); current = "" }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
