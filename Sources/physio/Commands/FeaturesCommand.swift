import ArgumentParser
import PhysioCore
import PhysioData
import PhysioPlatform

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Write one vital's novelty features (what its Isolation Forest is grown on and scores), with labels.",
        discussion: """
        Columns: case_id, t_seconds, deviation (from the patient's baseline), slope_1m, slope_5m, spread_5m \
        (missing ones imputed as the model imputes them: 0, 0, 0 and the median spread), label (1 when any \
        clinical rule is true at the sample). Every row where the vital has a held value; `physio train` \
        grows the forest on the label-0 rows. scripts/compare_sklearn.py fits scikit-learn on exactly this.
        """)

    @Option(help: "Directory of case CSVs, or one case CSV.")
    var data: String
    @Option(help: "CSV to write (.gz for gzip).")
    var out = "features.csv"
    @Option(help: "The vital: hr, sbp, dbp, mbp, spo2, rr, etco2, temp.")
    var vital = "hr"

    func run() throws {
        guard let vital = Vital(name: vital) else { throw ValidationError("--vital: unknown vital \(self.vital)") }
        let cases = try CaseCSV.readCases(at: data).filter { !$0.isEmpty }
        guard !cases.isEmpty else { throw ValidationError("no samples in \(data)") }
        let parameters = TrainingParameters()
        let perCase = cases.map { AnomalyModel.noveltyRows($0, vital: vital, parameters: parameters) }
        var spreads = perCase.flatMap { rows in stride(from: 3, to: rows.features.count, by: 4).map { rows.features[$0] } }.filter { !$0.isNaN }
        spreads.sort()
        let imputed: [Float] = [0, 0, 0, spreads.isEmpty ? 0 : spreads[spreads.count / 2]]
        let writer = try TextWriter(path: out)
        defer { writer.close() }
        writer.write((["case_id", "t_seconds"] + VitalNovelty.featureNames + ["label"]).joined(separator: ",") + "\n")
        var rows = 0, positives = 0, text = ""
        for (series, sample) in zip(cases, perCase) {
            for (index, time) in sample.times.enumerated() {
                text += series.caseID + "," + Timestamp.secondsText(time)
                for column in 0..<4 {
                    let value = sample.features[index * 4 + column]
                    text += "," + String(value.isNaN ? imputed[column] : value)
                }
                text += sample.ruleTrue[index] ? ",1\n" : ",0\n"
                rows += 1
                if sample.ruleTrue[index] { positives += 1 }
                if text.utf8.count > 1 << 16 { writer.write(text); text = "" }
            }
        }
        writer.write(text)
        var json = JSONWriter()
        json.beginObject()
        json.field("out", out)
        json.field("vital", vital.name)
        json.field("cases", cases.count)
        json.field("rows", rows)
        json.field("positives", positives)
        json.key("features"); json.beginArray(); VitalNovelty.featureNames.forEach { json.value($0) }; json.endArray()
        json.endObject()
        print(json.string)
    }
}
