import ArgumentParser
import PhysioCore
import PhysioData
import PhysioPlatform

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
        try EvaluationExport.writeTraining(trainingSet, prepared, names: prepared.features.map(configuration.name(of:)),
                                           to: out, fitColumn: false)
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
}
