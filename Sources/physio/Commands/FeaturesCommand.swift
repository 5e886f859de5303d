import ArgumentParser
import PhysioCore
import PhysioData

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Write the feature matrix the forest trains on (after imputation), with labels.",
        discussion: """
        Columns: case_id, t_seconds, the kept features, label (1 when any clinical rule is true at the \
        sample). Same features, imputation and dropped columns as `physio train` with the same options, \
        so scripts/compare_sklearn.py can fit scikit-learn on exactly what the Swift forest sees.
        """)

    @Option(help: "Directory of case CSVs, or one case CSV.")
    var data: String
    @Option(help: "CSV to write (.gz for gzip).")
    var out = "features.csv"
    @OptionGroup var features: FeatureOptions
    @Option(help: "Rows whose medians impute (as `physio train --fit-rows`).")
    var fitRows = FitRows.ruleNegative

    func run() throws {
        let cases = try CaseCSV.readCases(at: data)
        guard cases.contains(where: { !$0.isEmpty }) else { throw ValidationError("no samples in \(data)") }
        let configuration = features.configuration
        let trainingSet = TrainingSet(cases: cases, configuration: configuration)
        let prepared = trainingSet.prepared(fitRows: fitRows)
        let writer = try TextWriter(path: out)
        defer { writer.close() }
        writer.write((["case_id", "t_seconds"] + prepared.features.map(configuration.name(of:)) + ["label"])
            .joined(separator: ",") + "\n")
        var text = ""
        var row = 0
        for (caseID, count) in zip(trainingSet.caseIDs, trainingSet.caseRowCounts) {
            for _ in 0..<count {
                text += caseID + "," + seconds(trainingSet.timestamps[row])
                for column in 0..<prepared.matrix.columns { text += "," + String(prepared.matrix[row, column]) }
                text += trainingSet.labels[row] ? ",1\n" : ",0\n"
                row += 1
                if text.utf8.count > 1 << 16 { writer.write(text); text = "" }
            }
        }
        writer.write(text)
        var json = JSONWriter()
        json.beginObject()
        json.field("out", out)
        json.field("cases", trainingSet.caseIDs.count)
        json.field("rows", trainingSet.rows)
        json.field("positives", trainingSet.labels.filter { $0 }.count)
        json.key("features"); json.beginArray(); prepared.features.forEach { json.value(configuration.name(of: $0)) }; json.endArray()
        json.key("dropped_features"); json.beginArray(); prepared.dropped.forEach { json.value($0) }; json.endArray()
        json.endObject()
        print(json.string)
    }

    private func seconds(_ micros: Int64) -> String {
        micros % 1_000_000 == 0 ? String(micros / 1_000_000) : String(Double(micros) / 1e6)
    }
}
