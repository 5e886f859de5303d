import ArgumentParser
import PhysioCore
import PhysioData
import PhysioPlatform
import PhysioLab

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate synthetic intra-operative cases with labelled deteriorations (for load tests and evaluation).",
        discussion: """
        Writes DIR/case_NNNN.csv.gz (case-CSV format), DIR/events.csv (injected deteriorations, near \
        misses and benign stimulations with onset, peak and end), DIR/feeds.csv (what each case's monitor \
        sends), DIR/artefacts.csv and DIR/README.md. The same seed and parameters give the same files. \
        Feeds: all, all_nibp, art_line, map_only, hr_spo2, nibp; a comma-separated list or mix (all six) \
        gives each case one of them; standard is all (arterial line) or all_nibp (cuff) by \
        --arterial-line-fraction. See docs/simulation.md.
        """)

    @Option(help: "Number of cases (env PHYSIO_SIMULATE_CASES).")
    var cases = Environment.int("PHYSIO_SIMULATE_CASES", default: 10)
    @Option(help: "Hours per case (env PHYSIO_SIMULATE_HOURS).")
    var hours = Environment.double("PHYSIO_SIMULATE_HOURS", default: 2)
    @Option(help: "Random seed (env PHYSIO_SIMULATE_SEED).")
    var seed = UInt64(Environment.int("PHYSIO_SIMULATE_SEED", default: 1))
    @Option(help: "Output directory (env PHYSIO_SIMULATE_OUT).")
    var out = Environment.string("PHYSIO_SIMULATE_OUT", default: "simulated")
    @Option(help: "Mean deteriorations per hour of case (env PHYSIO_SIMULATE_EVENTS_PER_HOUR).")
    var eventsPerHour = Environment.double("PHYSIO_SIMULATE_EVENTS_PER_HOUR", default: 0.6)
    @Option(help: "Mean near misses (a deterioration's course stopping short of the alarm limit) per hour (env PHYSIO_SIMULATE_NEAR_MISSES_PER_HOUR).")
    var nearMissesPerHour = Environment.double("PHYSIO_SIMULATE_NEAR_MISSES_PER_HOUR", default: 0.3)
    @Option(help: "Mean benign responses to surgical stimulation per hour (env PHYSIO_SIMULATE_STIMULATIONS_PER_HOUR).")
    var stimulationsPerHour = Environment.double("PHYSIO_SIMULATE_STIMULATIONS_PER_HOUR", default: 0.6)
    @Option(help: "What the monitors send: standard, mix, or feeds separated by commas (env PHYSIO_SIMULATE_FEEDS).")
    var feeds = Environment.string("PHYSIO_SIMULATE_FEEDS", default: "standard")
    @Option(help: "With --feeds standard: share of cases with an arterial line; the rest have a cuff (env PHYSIO_SIMULATE_ARTERIAL_LINE_FRACTION).")
    var arterialLineFraction = Environment.double("PHYSIO_SIMULATE_ARTERIAL_LINE_FRACTION", default: 0.6)
    @Option(help: "Threads generating cases (env PHYSIO_SIMULATE_THREADS).")
    var threads = Environment.int("PHYSIO_SIMULATE_THREADS", default: 2)
    @Flag(inversion: .prefixedNo, help: "Gzip the case CSVs.")
    var gzip = true

    func validate() throws {
        guard cases >= 1, cases <= 9999 else { throw ValidationError("--cases must be 1…9999") }
        guard hours > 0, hours <= 48 else { throw ValidationError("--hours must be above 0 and at most 48") }
        for (name, rate) in [("events", eventsPerHour), ("near-misses", nearMissesPerHour), ("stimulations", stimulationsPerHour)] {
            guard rate >= 0, rate <= 6 else { throw ValidationError("--\(name)-per-hour must be 0…6") }
        }
        guard FeedSelection(feeds) != nil else {
            throw ValidationError("--feeds must be standard, mix, or some of \(MonitorFeed.allCases.map(\.rawValue).joined(separator: ", ")) separated by commas")
        }
        guard (0...1).contains(arterialLineFraction) else { throw ValidationError("--arterial-line-fraction must be 0…1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        var parameters = SimulationParameters(cases: cases, hours: hours, seed: seed)
        parameters.eventsPerHour = eventsPerHour
        parameters.nearMissesPerHour = nearMissesPerHour
        parameters.stimulationsPerHour = stimulationsPerHour
        parameters.feeds = FeedSelection(feeds)!
        parameters.arterialLineFraction = arterialLineFraction
        try AtomicFile.makeDirectory(out)

        let started = Clock.monotonicNanos()
        let written = SimulationOutput(parameters: parameters, directory: out, gzip: gzip)
        let group = WaitGroup()
        let (threads, cases) = (self.threads, self.cases)
        for worker in 0..<min(threads, cases) {
            group.add()
            startThread {
                defer { group.done() }
                for number in stride(from: 1 + worker, through: cases, by: threads) { written.simulate(number) }
            }
        }
        group.wait()
        if let error = written.firstError { throw error }
        let seconds = Double(Clock.monotonicNanos() - started) / 1e9

        let command = "physio simulate --cases \(cases) --hours \(hours) --seed \(seed) --out \(out)"
            + " --events-per-hour \(eventsPerHour) --near-misses-per-hour \(nearMissesPerHour)"
            + " --stimulations-per-hour \(stimulationsPerHour) --feeds \(parameters.feeds.description)"
            + (parameters.feeds == .standard ? " --arterial-line-fraction \(arterialLineFraction)" : "") + (gzip ? "" : " --no-gzip")
        try written.writeLabels(command: command)
        print("\(cases) cases, \(written.rows) rows, \(written.events.count) events → \(out) "
              + "in \(String(format1: seconds)) s (\(Int(Double(written.rows) / max(seconds, 1e-9))) rows/s)")
    }
}

/// Collects what the simulation threads produce and writes the label files.
private final class SimulationOutput: @unchecked Sendable {
    let parameters: SimulationParameters
    let directory: String
    let gzip: Bool
    private let lock = Lock()
    private var byCase: [Int: SimulatedLabels] = [:]
    private(set) var rows = 0
    private(set) var firstError: Error?

    init(parameters: SimulationParameters, directory: String, gzip: Bool) {
        self.parameters = parameters
        self.directory = directory
        self.gzip = gzip
    }

    /// Generates and writes one case; keeps its labels (not its samples).
    func simulate(_ number: Int) {
        let simulated = CaseSimulator.simulate(caseNumber: number, parameters: parameters)
        let path = directory + "/case_" + zeroPadded(number, width: 4) + (gzip ? ".csv.gz" : ".csv")
        do {
            try AtomicFile.write(to: path) { temporary in
                try CaseCSV.write(simulated.batch, to: temporary, originMicros: parameters.startMicros)
            }
        } catch {
            lock.withLock { if firstError == nil { firstError = error } }
        }
        let labels = SimulatedLabels(simulated)
        lock.withLock {
            byCase[number] = labels
            rows += simulated.batch.count
        }
    }

    var events: [DeteriorationEvent] { byCase.values.flatMap(\.events) }

    func writeLabels(command: String) throws {
        let ordered = byCase.keys.sorted().map { byCase[$0]! }
        for (name, text) in SimulationLabelFiles.files(ordered) {
            try AtomicFile.write(Array(text.utf8), to: directory + "/" + name)
        }
        let readme = SimulationReadme.text(parameters: parameters, cases: ordered, command: command)
        try AtomicFile.write(Array(readme.utf8), to: directory + "/README.md")
    }
}

fileprivate extension String {
    /// One decimal, without Foundation's String(format:).
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
