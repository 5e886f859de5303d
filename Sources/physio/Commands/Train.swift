import ArgumentParser
import PhysioCore
import PhysioData
import PhysioStore
import PhysioPlatform
import PhysioLab

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the anomaly model on case CSVs and write it as a JSON file.",
        discussion: """
        Reads every case CSV in DIR (or one FILE; .csv or .csv.gz), grows one Isolation Forest per \
        vital on its rule-negative samples and calibrates it (the breach risk, alarm policy and \
        safety floor need no training). With no options this is the shipped detector. Prints the \
        training summary as JSON.
        """)

    @Option(help: "Directory of case CSVs, or one case CSV (env PHYSIO_TRAIN_DATA).")
    var data = Environment.string("PHYSIO_TRAIN_DATA", default: "")
    @Option(help: "Model file to write (env PHYSIO_TRAIN_OUT).")
    var out = Environment.string("PHYSIO_TRAIN_OUT", default: "model.json")
    @OptionGroup var training: TrainingOptions
    @Option(help: "Train only on samples at or after this many seconds from each case's start.")
    var from: Double?
    @Option(help: "Train only on samples before this many seconds from each case's start (the rest can be a test part).")
    var until: Double?
    @Option(name: .customLong("description"), help: "What the data are, stored with the model (default: the --data path).")
    var dataDescription: String?
    @Flag(help: "Also store the model in the database's models table and make it the active one (workers switch to it at once).")
    var register = false
    @Option(help: "Name to register the model under (default: the --data path's last component and the date).")
    var name: String?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard !data.isEmpty else { throw ValidationError("--data DIR|FILE is required") }
        if let from, let until, from >= until { throw ValidationError("--from must be before --until") }
        if register && database.databaseURL == nil {
            throw ValidationError("--register needs --database-url or PHYSIO_DATABASE_URL")
        }
    }

    func run() throws {
        let window = TimeWindow(from: from.map(Timestamp.micros(seconds:)), until: until.map(Timestamp.micros(seconds:)))
        let cases = try CaseCSV.readCases(at: data).map(window.cut)
        let model = try train(cases)
        try AtomicFile.write(try model.encoded(), to: out)
        print(TrainingReport.json(model, path: out, pipeline: TrainingReport.timePipeline(model, cases),
                                  oneByOne: TrainingReport.timeOneByOne(model, cases)))
        if register {
            let connection = try DatabaseConnection(url: database.url(), applicationName: "physio-train")
            let label = name ?? "\(data.split(separator: "/").last.map(String.init) ?? data) \(model.metadata.trainedAt.prefix(10))"
            let id = try ModelStore().register(model, name: label, activate: true, on: connection)
            Log.info("model registered and activated", ["model_id": .int(Int(id)), "name": .string(label)])
        }
    }

    /// The --data path and the window, if any.
    func describe() -> String {
        guard from != nil || until != nil else { return data }
        return data + " (t " + (from.map { "≥ \(Int($0)) s" } ?? "") + (from != nil && until != nil ? ", " : "")
            + (until.map { "< \(Int($0)) s" } ?? "") + ")"
    }

    /// Trains on cases read from --data; the registration step builds on this.
    func train(_ cases: [SampleBatch]) throws -> AnomalyModel {
        guard cases.contains(where: { !$0.isEmpty }) else { throw ValidationError("no samples in \(data)") }
        return AnomalyModel.train(cases: cases, parameters: training.parameters(description: dataDescription ?? describe()))
    }
}

/// The one-screen JSON summary of a trained model.
enum TrainingReport {
    /// Samples per second through `CaseScorer` (artefact filter, held values, trends, risk,
    /// forests, alarm policy), whole cases at a time on one thread: what a worker pays per sample.
    static func timePipeline(_ model: AnomalyModel, _ cases: [SampleBatch]) -> Double {
        let scorer = CaseScorer(model: model)
        let started = Clock.monotonicNanos()
        var samples = 0
        for series in cases where !series.isEmpty {
            samples += scorer.scoreCase(series).count
        }
        return Double(samples) / (Double(Clock.monotonicNanos() - started) / 1e9)
    }

    /// The same, one sample per call with the case's earlier samples as context: a worker's
    /// worst case (one monitor sample per job). At most 2,000 samples.
    static func timeOneByOne(_ model: AnomalyModel, _ cases: [SampleBatch]) -> Double {
        let scorer = CaseScorer(model: model)
        let started = Clock.monotonicNanos()
        var samples = 0
        outer: for series in cases {
            let minutes = MinuteMeans(series)
            for row in 0..<series.count {
                _ = scorer.score(series, rows: row..<(row + 1), minutes: minutes)
                samples += 1
                if samples == 2000 { break outer }
            }
        }
        return Double(samples) / (Double(Clock.monotonicNanos() - started) / 1e9)
    }

    static func json(_ model: AnomalyModel, path: String, pipeline samplesPerSecond: Double? = nil,
                     oneByOne oneByOneSamplesPerSecond: Double? = nil) -> String {
        let metadata = model.metadata, metrics = metadata.metrics
        var json = JSONWriter()
        json.beginObject()
        json.field("model", path)
        json.field("trained_at", metadata.trainedAt)
        json.field("cases", metadata.caseCount)
        json.field("samples", metadata.sampleCount)
        json.key("novelty_forests"); json.beginObject()
        for forest in model.novelty { json.field(forest.vital.name, metadata.noveltyRows[forest.vital.name] ?? 0) }
        json.endObject()
        json.field("risk_horizon_seconds", model.risk.horizonSeconds)
        json.field("alarm_threshold", model.threshold)
        json.field("persist_seconds", model.policy.persistSeconds)
        json.field("hold_seconds", model.policy.holdSeconds)
        json.field("novelty_weight", model.noveltyWeight)
        json.field("fit_seconds", metadata.fitSeconds)
        if let samplesPerSecond { json.field("pipeline_samples_per_second", samplesPerSecond) }
        if let oneByOneSamplesPerSecond { json.field("one_by_one_samples_per_second", oneByOneSamplesPerSecond) }
        json.key("in_sample"); json.beginObject()
        json.field("label", metrics.label)
        json.field("positives", metrics.positives)
        json.field("flagged_fraction", metrics.flaggedFraction)
        json.field("roc_auc", metrics.rocAUC)
        json.field("average_precision", metrics.averagePrecision)
        json.field("precision", metrics.precision)
        json.field("recall", metrics.recall)
        json.field("f1", metrics.f1)
        json.endObject()
        json.endObject()
        return json.string
    }
}
