import ArgumentParser
import PhysioCore
import PhysioData
import PhysioPlatform
import PhysioLab

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate the detector against clinical ground truth: seed protocol, early warning, alarm burden.",
        discussion: """
        Scores every case of --data and reports (see docs/evaluation.md): the seed protocol (label = any \
        clinical rule true at the sample), early warning (among samples not in alarm, label = a breach \
        sustained ≥ --sustain s starts within --horizon s; only on cases sampled at least every \
        --max-spacing s), alarm burden (episodes per hour of model and rules, merged as the server merges), \
        a per-case table and, with labelled events (simulated data: DIR/events.csv), how soon model and \
        rules reacted to each. Beside the detector, baselines from each case's own samples (plain rules, \
        NEWS2 over the monitor's vitals, current MAP, distance to the nearest threshold) on the same tasks \
        and a hypotension early warning, each AUROC/AUPRC with a 95 % bootstrap interval by case; \
        everything again per feed subset (DIR/feeds.csv, else the vitals each case sent). \
        Where the scores come from, one of:
          --model M                   a trained model;
          --train-data D              train here on D (cut by --train-from/--train-until) with the options of `physio train`;
          --folds K                   cross-validation by case within --data, one model per fold;
          --scores F                  external scores (CSV case_id,t_seconds,score,threshold[,hypotension_score][,alarm]), \
        e.g. scikit-learn's, or a detector's written by --write-scores; alarm 0/1, else score > threshold.
        Samples before --from are context (features, breaches already under way); samples at or after \
        --until are not read at all.
        Clinicians' verdicts (--labels FILE, the CSV of GET /exports/annotations, or --labels-from-database): \
        the precision of the server's episodes against them, by what raised each episode (model, both, rule) \
        and, for the model's, by reason, beside the threshold-label precision of the same episodes (a clinical \
        rule crossed in the episode) and how often the two agree; with or without --data. With --data, the \
        scorer above is also judged on those verdicts: whether it alarms within the span each reviewer saw \
        (true alarms kept, false alarms and artefacts still raised). That needs the cases at their real times: \
        give the CSV of GET /exports/vitals as --data (its t column is read as it is), or \
        --data-from-database for the vitals of every case with an annotated episode.
        """)

    @Option(help: "Directory of case CSVs, or one case CSV, e.g. GET /exports/vitals (optional with --labels).")
    var data: String?
    @Option(help: "Clinicians' verdicts: the CSV of GET /exports/annotations.")
    var labels: String?
    @Flag(help: "Clinicians' verdicts read from the database (--database-url or PHYSIO_DATABASE_URL).")
    var labelsFromDatabase = false
    @Flag(help: "Instead of --data: the vitals of the cases with annotated episodes, read from the database.")
    var dataFromDatabase = false
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Model file from `physio train`.")
    var model: String?
    @Option(help: "Train a model on these case CSVs (with the training options below) and evaluate it.")
    var trainData: String?
    @Option(help: "Cross-validate by case with this many folds (training options below).")
    var folds: Int?
    @Option(help: "Seed of the fold assignment.")
    var foldSeed: UInt64 = 0
    @Option(help: "Scores from elsewhere: CSV case_id,t_seconds,score,threshold[,hypotension_score][,alarm] covering every evaluated sample.")
    var scores: String?
    @Option(help: "Write the detector's score of every evaluated sample here, and alarm, as the CSV --scores reads (with hypotension_score and alarm).")
    var writeScores: String?
    @Option(help: "Write the detector's alarm episodes here (CSV: times, what raised each, its rules and drivers), merged as the alarm burden counts them.")
    var writeEpisodes: String?
    @Option(help: "Evaluate samples at or after this many seconds from each case's start.")
    var from: Double?
    @Option(help: "Ignore samples at or after this many seconds from each case's start.")
    var until: Double?
    @Option(help: "With --train-data: train on samples at or after this second.")
    var trainFrom: Double?
    @Option(help: "With --train-data: train on samples before this second.")
    var trainUntil: Double?
    @Option(help: "Labelled events (events.csv of `physio simulate`, or another generator's in its format: kinds the simulator does not know are deteriorations, unless named …_near_miss or …_benign); default DIR/events.csv when present.")
    var events: String?
    @Flag(help: "Ignore labelled events even when DIR/events.csv exists.")
    var noEvents = false
    @Option(help: "Feed of each case (CSV case_id,feed, as `physio simulate` writes); default DIR/feeds.csv when present, else cases are grouped by the vitals they sent.")
    var feeds: String?
    @Option(help: "Bootstrap resamples of cases for the 95 % intervals (at least 200).")
    var resamples = 1000
    @Option(help: "Seed of the bootstrap resamples.")
    var bootstrapSeed: UInt64 = 0
    @Option(help: "Rule set for the labels: model (the model's own), standard, extended, or rules like hr>140,spo2<90,mbp<65.")
    var rules = "model"
    @Option(help: "Early-warning horizon, seconds.")
    var horizon = 300.0
    @Option(help: "A breach is sustained when its rule episode lasts at least this long, seconds.")
    var sustain = 60.0
    @Option(help: "Gap that merges alarms into one episode, seconds (the server's default).")
    var episodeGap = 30.0
    @Option(help: "Early warning only on cases whose median sampling interval is at most this, seconds.")
    var maxSpacing = 30.0
    @Option(help: "JSON report to write.")
    var report: String?
    @Option(help: "SVG with ROC and precision–recall curves of both tasks.")
    var plot: String?
    @Option(help: "Title of the plot (default: the --data path).")
    var title: String?
    @Option(help: "With --train-data: also write the trained model here.")
    var saveModel: String?
    @Option(help: "Rows of the per-case table printed (all are in the report).")
    var caseRows = 25
    @OptionGroup var training: TrainingOptions

    func validate() throws {
        if data != nil && dataFromDatabase { throw ValidationError("give --data or --data-from-database, not both") }
        if dataFromDatabase && labels == nil && !labelsFromDatabase {
            throw ValidationError("--data-from-database reads the reviewed cases: give --labels or --labels-from-database")
        }
        if writeScores != nil && (scores != nil || !hasData) { throw ValidationError("--write-scores writes a model's scores: give --model, --train-data or --folds") }
        if writeEpisodes != nil && (scores != nil || !hasData) { throw ValidationError("--write-episodes writes a model's episodes: give --model, --train-data or --folds") }
        if labels != nil && labelsFromDatabase { throw ValidationError("give --labels or --labels-from-database, not both") }
        let sources = [model != nil, trainData != nil, folds != nil, scores != nil].filter { $0 }.count
        if !hasData {
            guard labels != nil || labelsFromDatabase else { throw ValidationError("give --data (or only clinicians' verdicts: --labels or --labels-from-database)") }
            guard sources == 0 else { throw ValidationError("--model, --train-data, --folds and --scores need --data") }
            return
        }
        guard sources == 1 else { throw ValidationError("give exactly one of --model, --train-data, --folds, --scores") }
        if let folds, folds < 2 { throw ValidationError("--folds must be at least 2") }
        if let from, let until, from >= until { throw ValidationError("--from must be before --until") }
        if let trainFrom, let trainUntil, trainFrom >= trainUntil { throw ValidationError("--train-from must be before --train-until") }
        if (trainFrom != nil || trainUntil != nil) && trainData == nil { throw ValidationError("--train-from/--train-until need --train-data") }
        guard horizon > 0, sustain >= 0, episodeGap >= 0, maxSpacing > 0 else { throw ValidationError("windows must be positive") }
        guard resamples >= 200 else { throw ValidationError("--resamples must be at least 200") }
    }

    var hasData: Bool { data != nil || dataFromDatabase }
    /// What the cases are, in descriptions and the report.
    var dataName: String { data ?? "the database's reviewed cases" }

    var window: TimeWindow { TimeWindow(from: from.map(Timestamp.micros(seconds:)), until: until.map(Timestamp.micros(seconds:))) }
    var settings: EvaluationSettings {
        EvaluationSettings(horizonSeconds: horizon, sustainSeconds: sustain, episodeGapSeconds: episodeGap, maximumSpacingSeconds: maxSpacing,
                           bootstrap: CaseBootstrap(resamples: resamples, seed: bootstrapSeed))
    }

    func run() throws {
        let verdicts = try clinicianVerdicts()
        guard hasData else {
            // Only the clinicians' verdicts: validate() saw to it that there are some.
            print(verdicts!.precision.text(source: verdicts!.source))
            if let report {
                var json = JSONWriter(capacity: 1 << 12)
                json.beginObject()
                json.key("clinician_labels")
                verdicts!.precision.write(source: verdicts!.source, into: &json)
                json.endObject()
                try AtomicFile.write(json.bytes + [0x0A], to: report)
            }
            return
        }
        let cases = try readCases(reviewed: verdicts?.precision.episodes ?? []).filter { !$0.isEmpty }
        guard !cases.isEmpty else { throw ValidationError("no samples in \(dataName)") }
        let scored = try scoreCases(cases)
        if let writeScores { try ExternalScores.write(scored, to: writeScores) }
        if let writeEpisodes { try EvaluatedEpisodes.write(scored, window: window, episodeGapSeconds: episodeGap, to: writeEpisodes) }
        let labelled = try readEvents()
        let feedOfCase = try companionFile("feeds.csv", explicit: feeds).map { try FeedsCSV.read($0, cases: scored.cases.map(\.caseID)) }
        let evaluation = Evaluation(cases: scored.cases, events: labelled, feeds: feedOfCase, settings: settings)
        print(header(scored))
        print(evaluation.text(maximumCases: caseRows))
        let replay = verdicts.map {
            VerdictReplay(reviewed: $0.precision.episodes, cases: scored.cases, episodeGapSeconds: settings.episodeGapSeconds,
                          bootstrap: settings.bootstrap)
        }
        if let verdicts { print("\n" + verdicts.precision.text(source: verdicts.source)) }
        if let replay { print("\n" + replay.text(candidate: scored.description)) }
        if let report {
            var json = JSONWriter(capacity: 1 << 16)
            json.beginObject()
            writeHeader(scored, into: &json, data: dataName)
            evaluation.writeFields(into: &json)
            if let verdicts {
                json.key("clinician_labels")
                verdicts.precision.write(source: verdicts.source, into: &json)
            }
            if let replay {
                json.key("verdict_replay")
                replay.write(candidate: scored.description, into: &json)
            }
            json.endObject()
            try AtomicFile.write(json.bytes + [0x0A], to: report)
        }
        if let plot {
            let note = evaluation.earlyWarning.isApplicable ? nil
                : "median sampling interval above \(Int(maxSpacing)) s: a \(Int(sustain))-s breach and a \(Int(horizon))-s warning cannot be resolved"
            let chart = CurvePlot(title: title ?? dataName, subtitle: scored.description,
                                  series: evaluation.curveSeries(detector: scored.scorerName),
                                  earlyWarningNote: note,
                                  earlyWarningHeading: "Early warning — label: a breach ≥ \(Int(sustain)) s starts within \(Int(horizon)) s")
            try AtomicFile.write(Array(chart.svg.utf8), to: plot)
        }
    }

    /// Cases with scores, and how they were obtained.
    func scoreCases(_ cases: [SampleBatch]) throws -> ScoredCases {
        let data = dataName
        if let model {
            let loaded = try AnomalyModel.decode(try LineReader.readAll(path: model))
            let ruleSet = try ruleSet(model: loaded)
            return ScoredCases(mode: "model", description: "model \(model)", scorerName: "physio forest", rules: ruleSet,
                               folds: [.init(model: loaded, training: nil, cases: cases.map { CaseScores(series: $0, window: window, model: loaded, rules: ruleSet) },
                                             series: cases)])
        }
        if let trainData {
            let trainWindow = TimeWindow(from: trainFrom.map(Timestamp.micros(seconds:)), until: trainUntil.map(Timestamp.micros(seconds:)))
            let trainingCases = try CaseCSV.readCases(at: trainData).map(trainWindow.cut).filter { !$0.isEmpty }
            guard !trainingCases.isEmpty else { throw ValidationError("no training samples in \(trainData) in that window") }
            let trained = AnomalyModel.train(cases: trainingCases, parameters: training.parameters(description: trainData))
            if let saveModel { try AtomicFile.write(try trained.encoded(), to: saveModel) }
            let ruleSet = try ruleSet(model: trained)
            var description = "trained on \(trainData)\(Self.describe(trainWindow)), evaluated on \(data)\(Self.describe(window))"
            if overlapsTraining(trainWindow) { description += " — IN-SAMPLE: training and evaluated samples overlap in time" }
            return ScoredCases(mode: "train", description: description, scorerName: "physio forest", rules: ruleSet,
                               folds: [.init(model: trained, training: trainingCases,
                                             cases: cases.map { CaseScores(series: $0, window: window, model: trained, rules: ruleSet) },
                                             series: cases)])
        }
        if let folds {
            let assignment = CaseFolds.assign(cases.map(\.caseID), folds: folds, seed: foldSeed)
            var results: [ScoredCases.Fold] = []
            for fold in 0..<folds {
                let test = cases.filter { assignment[$0.caseID] == fold }
                let train = cases.filter { assignment[$0.caseID] != fold }
                guard !test.isEmpty, !train.isEmpty else { continue }
                let trained = AnomalyModel.train(cases: train, parameters: training.parameters(description: "\(data) fold \(fold + 1) of \(folds): training cases"))
                let ruleSet = try ruleSet(model: trained)
                results.append(.init(model: trained, training: train,
                                     cases: test.map { CaseScores(series: $0, window: window, model: trained, rules: ruleSet) }, series: test))
            }
            return ScoredCases(mode: "cross_validation", description: "\(folds)-fold cross-validation by case on \(data)\(Self.describe(window))",
                               scorerName: "physio forest", rules: try ruleSet(model: results[0].model), folds: results)
        }
        let external = try ExternalScores.read(scores!)
        let ruleSet = try ruleSet(model: nil)
        let scored = try cases.map { series in
            let threshold = try external.threshold(of: series.caseID)
            return try CaseScores(series: series, window: window, rules: ruleSet, filter: .standard) {
                try external.output(of: $0, rows: $1, threshold: threshold)
            }
        }
        return ScoredCases(mode: "scores", description: "scores from \(scores!) on \(data)\(Self.describe(window))",
                           scorerName: "external scores", rules: ruleSet,
                           folds: [.init(model: nil, training: nil, cases: scored, series: cases)])
    }

    func ruleSet(model: AnomalyModel?) throws -> ClinicalRules {
        if rules == "model" { return model?.rules ?? .standard }
        do { return try ClinicalRules.parse(rules) } catch { throw ValidationError(error.description) }
    }

    func readEvents() throws -> [String: [TrueEvent]]? {
        if noEvents { return nil }
        guard let path = companionFile("events.csv", explicit: events) else { return nil }
        let reader = try LineReader(path: path)
        guard try reader.nextLine() == EventLabelsCSV.header else { throw ValidationError("\(path): expected the header \(EventLabelsCSV.header)") }
        var events: [String: [TrueEvent]] = [:]
        while let line = try reader.nextLine() {
            if line.isEmpty { continue }
            guard let label = EventLabelsCSV.parse(line: line) else { throw ValidationError("\(path): bad line '\(line)'") }
            events[label.caseID, default: []].append(TrueEvent(caseID: label.caseID, kind: label.event,
                                                               onset: Int64(label.onset) * 1_000_000, end: Int64(label.end) * 1_000_000,
                                                               shouldAlarm: label.eventClass == .deterioration))
        }
        return events
    }

    /// The cases of --data, or with --data-from-database those of the annotated episodes in `reviewed`.
    func readCases(reviewed: [ReviewedEpisode]) throws -> [SampleBatch] {
        guard dataFromDatabase else { return try CaseCSV.readCases(at: data!) }
        let caseIDs = Set(reviewed.filter { $0.verdict != nil }.map(\.caseID)).sorted()
        return try EvaluationDatabase(url: database.url()).cases(caseIDs)
    }

    /// Clinicians' verdicts from --labels or the database, with where they came from; nil without either.
    func clinicianVerdicts() throws -> (precision: ClinicianPrecision, source: String)? {
        let table: CSVTable, source: String
        if let labels {
            table = try CSVTable.parse(try LineReader.readAll(path: labels))
            source = labels
        } else if labelsFromDatabase {
            table = try CSVTable.parse(try EvaluationDatabase(url: database.url()).annotations())
            source = "the database"
        } else {
            return nil
        }
        do {
            let rows = try ClinicianLabel.read(header: table.header, rows: table.rows) { "\(source):\($0)" }
            return (ClinicianPrecision(labels: rows, bootstrap: settings.bootstrap), source)
        } catch let error as LabelError {
            throw ValidationError(error.description)
        }
    }

    /// `explicit`, else the file `name` beside the cases in --data when it exists, else nil.
    func companionFile(_ name: String, explicit: String?) -> String? {
        if let explicit { return explicit }
        guard let data else { return nil }
        let path = (data.hasSuffix("/") ? data : data + "/") + name
        return (try? LineReader(path: path)) != nil ? path : nil
    }

    func overlapsTraining(_ trainWindow: TimeWindow) -> Bool {
        guard let data, trainData.map({ Self.samePath($0, data) }) ?? false else { return false }
        let trainStart = trainWindow.from ?? .min, trainEnd = trainWindow.until ?? .max
        let start = window.from ?? .min, end = window.until ?? .max
        return trainStart < end && start < trainEnd
    }

    static func samePath(_ a: String, _ b: String) -> Bool {
        func clean(_ path: String) -> String { path.hasSuffix("/") ? String(path.dropLast()) : path }
        return clean(a) == clean(b)
    }

    static func describe(_ model: AnomalyModel) -> String {
        let forests = model.novelty.isEmpty ? "no novelty forests" : "novelty forests of " + model.novelty.map(\.vital.name).joined(separator: ", ")
        return "breach risk over \(Int(model.risk.horizonSeconds)) s, \(forests) (weight \(model.noveltyWeight)); "
            + "alarm at score ≥ \(model.threshold) for \(Int(model.policy.persistSeconds)) s, held \(Int(model.policy.holdSeconds)) s; "
            + "safety floor: a rule breach lasting \(Int(model.policy.floorSustainSeconds)) s"
    }

    static func describe(_ window: TimeWindow) -> String {
        guard window.from != nil || window.until != nil else { return "" }
        var parts: [String] = []
        if let from = window.from { parts.append("t ≥ \(Timestamp.secondsText(from)) s") }
        if let until = window.until { parts.append("t < \(Timestamp.secondsText(until)) s") }
        return " (" + parts.joined(separator: ", ") + ")"
    }

    func header(_ scored: ScoredCases) -> String {
        let cases = scored.folds.reduce(0) { $0 + $1.cases.count }
        var lines = ["evaluation: \(scored.description); \(cases) cases", "rules: \(scored.rules.spec)"]
        if let model = scored.folds.first?.model {
            lines.append("model: \(Self.describe(model))")
        }
        return lines.joined(separator: "\n")
    }

    func writeHeader(_ scored: ScoredCases, into json: inout JSONWriter, data: String) {
        json.field("data", data)
        json.field("mode", scored.mode)
        json.field("description", scored.description)
        json.field("cases_evaluated", scored.folds.reduce(0) { $0 + $1.cases.count })
        json.key("window"); json.beginObject()
        json.key("from_seconds"); if let from { json.value(from) } else { json.null() }
        json.key("until_seconds"); if let until { json.value(until) } else { json.null() }
        json.endObject()
        json.key("rules"); json.beginArray()
        for rule in scored.rules.rules {
            json.beginObject(); json.field("id", rule.id); json.field("rule", rule.description); json.field("source", rule.source); json.endObject()
        }
        json.endArray()
        json.key("models"); json.beginArray()
        for fold in scored.folds {
            guard let model = fold.model else { continue }
            json.beginObject()
            json.field("trained_on", model.metadata.dataDescription)
            json.field("training_cases", model.metadata.caseCount)
            json.field("training_samples", model.metadata.sampleCount)
            json.key("novelty_forests"); json.beginArray(); model.novelty.forEach { json.value($0.vital.name) }; json.endArray()
            json.field("risk_horizon_seconds", model.risk.horizonSeconds)
            json.field("alarm_threshold", model.threshold)
            json.field("persist_seconds", model.policy.persistSeconds)
            json.field("hold_seconds", model.policy.holdSeconds)
            json.field("novelty_weight", model.noveltyWeight)
            json.field("evaluated_cases", fold.cases.count)
            json.endObject()
        }
        json.endArray()
    }
}

/// Scored cases grouped by the model that scored them (one group unless cross-validating).
struct ScoredCases {
    struct Fold {
        let model: AnomalyModel?
        /// Training cases (cut to the training window), when this run trained the model.
        let training: [SampleBatch]?
        let cases: [CaseScores]
        /// The evaluated cases as read.
        let series: [SampleBatch]
    }

    let mode: String
    let description: String
    let scorerName: String
    let rules: ClinicalRules
    let folds: [Fold]

    var cases: [CaseScores] { folds.flatMap(\.cases) }
}
