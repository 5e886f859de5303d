import Testing
@testable import PhysioCore

@Suite struct DetectorTests {
    static let training = (0..<3).map { TestData.patient("train-\($0)", seconds: 2400, seed: UInt64($0) + 1) }
    static let parameters = TrainingParameters(forest: .init(trees: 50, seed: 17), dataDescription: "synthetic test cases", trainedAt: 0)
    static let model = AnomalyModel.train(cases: training, parameters: parameters)

    /// A patient whose MAP drifts down from 85 to 55 mmHg over `from`..<`from`+600 s and stays there.
    static func falling(_ caseID: String = "fall", seconds: Int = 2400, from: Int = 1500, vitals: Set<Vital> = [.hr, .mbp, .spo2]) -> SampleBatch {
        var random = SeededGenerator(seed: 5)
        return TestData.series(caseID, seconds: stride(from: 0, to: seconds, by: 1)) { t in
            let drop = Float(min(max(t - from, 0), 600)) / 600 * 30
            let all: [Vital: Float] = [.hr: 72 + Float(TestData.gaussian(&random)), .mbp: 85 - drop + Float(TestData.gaussian(&random)),
                                       .spo2: 98]
            return all.filter { vitals.contains($0.key) }
        }
    }

    @Test func trainingGrowsAForestPerVitalItHasAndRecordsIt() {
        let model = Self.model
        #expect(Set(model.novelty.map(\.vital)) == [.hr, .sbp, .dbp, .mbp, .spo2], "MAP is estimated; RR, EtCO2 and temperature never seen")
        #expect(model.metadata.sampleCount == 7200 && model.metadata.caseCount == 3)
        #expect(model.metadata.trainedAt == "1970-01-01T00:00:00Z")
        #expect(model.novelty.allSatisfy { $0.maximumScore >= $0.tailScore })
    }

    @Test func aFallTowardsTheLimitIsWarnedOfBeforeTheBreach() {
        let samples = CaseScorer(model: Self.model).scoreCase(Self.falling())
        func at(_ t: Int) -> ScoredSample { samples[t] }
        // MAP crosses 65 at about 1900 s.
        #expect(at(1000).score < 0.1 && !at(1000).anomalous)
        #expect(at(1850).score > at(1600).score && at(1600).score > at(1000).score)
        let firstAlarm = samples.firstIndex { $0.anomalous }!
        #expect(firstAlarm < 1900 && firstAlarm > 1500, "an alarm before the breach, not long before the fall")
        #expect(at(2200).score == 1 && at(2200).anomalous && at(2200).rules == ["mbp_lt_65"])
        #expect(at(2200).drivers.first?.vital == .mbp && at(2200).drivers.first!.weight > 0.9, "a flat HR and SpO2 get no share")
        #expect(samples.allSatisfy { $0.drivers.allSatisfy { $0.weight > 0 } }, "a share that rounds to 0 is not listed")
    }

    @Test func theSafetyFloorAlarmsASustainedBreachWhateverTheScore() {
        var model = Self.model
        model.policy.threshold = 2   // the score can never alarm
        let series = TestData.patient("crisis", seconds: 900, seed: 9, hypotension: 300..<420)
        let samples = CaseScorer(model: model).scoreCase(series)
        #expect(samples[300...419].allSatisfy { $0.source == .rule }, "from the breach's first sample")
        #expect(samples[..<300].allSatisfy { !$0.anomalous } && samples[421...].allSatisfy { !$0.anomalous })
        // A 40-s breach is not sustained.
        let short = TestData.patient("blip", seconds: 900, seed: 9, hypotension: 300..<340)
        #expect(CaseScorer(model: model).scoreCase(short).allSatisfy { !$0.anomalous })
    }

    @Test func noSubsetOfVitalsSilencesTheFloorOrTheRisk() {
        for vitals: Set<Vital> in [[.mbp], [.mbp, .hr], [.hr, .spo2, .mbp]] {
            let samples = CaseScorer(model: Self.model).scoreCase(Self.falling("subset", vitals: vitals))
            #expect(samples[2300].source != nil && samples[2300].rules == ["mbp_lt_65"], "\(vitals)")
            #expect(samples[1850].score > 0.5, "\(vitals): the risk is the MAP's alone, not diluted")
        }
    }

    @Test func aVitalNoRuleWatchesAndNoForestKnowsScoresZeroNotMinusZero() {
        // A capnograph alone: EtCO2 has no default rule, and the training cases had none.
        let series = TestData.series("capnograph", seconds: stride(from: 0, to: 600, by: 1)) { t in [.etco2: 35 + Float(t % 3)] }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        #expect(samples.allSatisfy { $0.score == 0 && $0.score.sign == .plus && !$0.anomalous }, "\(samples.first!.score)")
    }

    @Test func anArterialLineBeingConnectedRaisesNoAlarm() {
        // MAP only: 5 minutes unconnected (about −4 mmHg), a minute of the
        // transducer swinging between −40 and 110 mmHg, then a steady 84.
        var random = SeededGenerator(seed: 3)
        let series = TestData.series("insertion", seconds: stride(from: 0, to: 900, by: 1)) { t in
            if t < 300 { return [.mbp: -4 + Float(TestData.gaussian(&random))] }
            if t < 365 { return [.mbp: Float(t * 37 % 150) - 40] }
            return [.mbp: 84 + Float(TestData.gaussian(&random))]
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        #expect(samples.allSatisfy { !$0.anomalous && $0.rules.isEmpty }, "the line's settling is no hypotension")
    }

    @Test func aPulseOximeterMotionDipRaisesNoAlarmButADesaturationDoes() {
        // HR and SpO2 only: a 25-s motion dip to 81 % at 600 s; a real
        // desaturation, two points every 5 s from 97 % down to 80 %, at 1200 s.
        let series = TestData.series("oximeter", seconds: stride(from: 0, to: 1500, by: 1)) { t in
            let dip: Float = (600..<625).contains(t) ? (t < 603 ? 98 - Float(t - 599) * 5 : 81) : 98
            let desaturation = t < 1200 ? dip : max(97 - Float((t - 1200) / 5) * 2, 80)
            return [.hr: 72 + Float(t % 3), .spo2: desaturation]
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        #expect(samples[..<1200].allSatisfy { !$0.anomalous && $0.rules.isEmpty }, "the dip is no desaturation")
        let floor = samples[1200...].firstIndex { $0.source == .rule || $0.source == .both }
        #expect(floor != nil && samples[1300...].allSatisfy { $0.anomalous && $0.rules.contains("spo2_lt_90") })
    }

    @Test func apnoeaAndAsystoleAreBreachesNotArtefacts() {
        // RR 0 (apnoea) for 3 min from 1200 s, then HR 0 (asystole) for 2 min from 1500 s, as a monitor sends them.
        let series = TestData.series("arrest", seconds: stride(from: 0, to: 1800, by: 1)) { t in
            [.hr: (1500..<1620).contains(t) ? 0 : 72 + Float(t % 3), .spo2: 98, .rr: (1200..<1380).contains(t) ? 0 : 12]
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        #expect(samples[..<1200].allSatisfy { !$0.anomalous })
        #expect(samples[1250..<1380].allSatisfy { $0.anomalous && $0.rules == ["rr_le_8"] }, "apnoea, from its 20th second")
        #expect(samples[1550..<1620].allSatisfy { $0.anomalous && $0.rules.contains("hr_lt_40") }, "asystole")
        #expect(samples[1220].source == .rule || samples[1220].source == .both, "the floor alarms the breach from its first row")
        // In jobs of 7 s, some job's context starts on every row of both runs.
        let jobs = stride(from: 0, to: 1800, by: 7).map { $0..<min($0 + 7, 1800) }
        let inJobs = Self.scoreInJobs(series, jobs: jobs)
        #expect(inJobs.samples.map(\.score) == samples.map(\.score) && inJobs.samples.map(\.rules) == samples.map(\.rules))
        // Live, HR 0 is kept from its 20th second and the floor alarms it in the job that brings it,
        // not a minute later: the value's persistence was judged when it was kept.
        #expect(!inJobs.samples[1519].anomalous && inJobs.samples[1520].anomalous)
        #expect(inJobs.samples[1520].source == .rule)
    }

    @Test func aHaemorrhageThatFallsPastTheRangeKeepsItsAlarm() throws {
        // SBP 115 to 30 between 600 and 900 s, then 15 min there: the alarm that opened on
        // the way down lasts to the end, and the pressures past the range are judged.
        let series = TestData.series("shock", seconds: stride(from: 0, to: 1800, by: 1)) { t in
            let systolic = (115 - Float(max(0, min(t - 600, 300))) * 85 / 300).rounded()
            return [.hr: 80 + Float(t % 3), .spo2: 98, .sbp: systolic, .dbp: (systolic * 0.6).rounded()]
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        let opened = try #require(samples.firstIndex { $0.anomalous })
        #expect(opened < 900)
        #expect(samples[opened...].allSatisfy { $0.anomalous }, "\(samples[opened...].firstIndex { !$0.anomalous } ?? -1)")
        #expect(samples[1799].rules.contains("sbp_lt_80") && samples[1799].rules.contains("mbp_lt_65"))
        let inJobs = Self.scoreInJobs(series, jobs: stride(from: 0, to: 1800, by: 11).map { $0..<min($0 + 11, 1800) })
        #expect(inJobs.samples.map(\.score) == samples.map(\.score) && inJobs.samples.map(\.rules) == samples.map(\.rules))
    }

    @Test func aHaemorrhageReadByACuffPastTheRangeKeepsItsAlarm() throws {
        // HR and SpO2 each second, a cuff every 5 min falling from 120/70 to 35/14: below 80 from 900 s,
        // DBP below 20 from 1500 s. Each reading past the range follows a hypotensive one and is kept.
        let cuff: [(Float, Float)] = [(120, 70), (110, 65), (90, 52), (75, 40), (62, 30), (48, 19), (38, 15), (35, 14)]
        let series = TestData.series("cuff-shock", seconds: stride(from: 0, to: 2400, by: 1)) { t in
            var row: [Vital: Float] = [.hr: 95 + Float(t % 3), .spo2: 97]
            if t % 300 == 0 { row[.sbp] = cuff[t / 300].0; row[.dbp] = cuff[t / 300].1 }
            return row
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        let opened = try #require(samples.firstIndex { $0.anomalous })
        #expect(opened <= 900)
        #expect(samples[opened...].allSatisfy { $0.anomalous }, "\(samples[opened...].firstIndex { !$0.anomalous } ?? -1)")
        #expect(samples[2399].rules.contains("sbp_lt_80") && samples[2399].rules.contains("mbp_lt_65"))
        let inJobs = Self.scoreInJobs(series, jobs: stride(from: 0, to: 2400, by: 13).map { $0..<min($0 + 13, 2400) })
        #expect(inJobs.samples.map(\.score) == samples.map(\.score) && inJobs.samples.map(\.rules) == samples.map(\.rules))
    }

    @Test func aReturnFromABreachIsNoFallTowardsTheOtherLimit() {
        // HR 165 for two minutes, then back to 72: the trend ignores the breached samples.
        let series = TestData.series("recover", seconds: stride(from: 0, to: 1200, by: 1)) { t in
            [.hr: (600..<720).contains(t) ? 165 : 72 + Float(t % 3), .spo2: 98]
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        #expect(samples[730...900].allSatisfy { $0.score < 0.2 }, "\(samples[730...900].map(\.score).max()!)")
    }

    @Test func aSpikeInARecordOfOneRowAMinuteDoesNotRaiseTheRiskForHalfAnHour() {
        // An anaesthesia record of one row a minute: HR 74–76 with one cautery
        // spike of 232 (plausible, so kept) at minute 20; a temperature probe
        // placed at minute 10 reads 26.5 and 33.5 °C before the core's 36.
        let series = TestData.series("record", seconds: stride(from: 0, to: 4200, by: 60)) { t in
            let minute = t / 60
            var row: [Vital: Float] = [.hr: minute == 20 ? 232 : 74 + Float(minute % 3), .spo2: 98]
            if minute >= 10 { row[.temp] = minute == 10 ? 26.5 : minute == 11 ? 33.5 : 36 + Float(minute % 2) / 10 }
            return row
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        #expect(samples[20].rules == ["hr_gt_140"], "the spike itself is a breach")
        // Once the spike has left the 5-minute windows, its minute stays in the baseline's half hour.
        let after = samples[26...56]
        #expect(after.allSatisfy { $0.score < 0.2 && !$0.anomalous }, "\(after.map(\.score).max()!)")
    }

    @Test func aCuffEveryFourMinutesHoldsItsReadingAndTheFloorSeesIt() {
        // HR and SpO2 each second; NIBP every 240 s, one reading of 70/40 at 960 s.
        let series = TestData.series("nibp", seconds: stride(from: 0, to: 1800, by: 1)) { t in
            var row: [Vital: Float] = [.hr: 75, .spo2: 97]
            if t % 240 == 0 { row[.sbp] = t == 960 ? 70 : 118; row[.dbp] = t == 960 ? 40 : 65 }
            return row
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        #expect(samples[960].rules.contains("sbp_lt_80") && samples[1199].rules.contains("sbp_lt_80"))
        #expect(samples[960].source?.union(.rule) == .both || samples[960].source == .rule)
        #expect(samples[1199].source == .both || samples[1199].source == .rule)
        #expect(!samples[1200].rules.contains("sbp_lt_80") && !samples[1200 + 121].anomalous, "the score's alarm is held, then ends")
    }

    @Test func scoringInJobsEqualsScoringTheWholeCase() {
        let series = TestData.patient("jobs", seconds: 1800, seed: 4, hypotension: 900..<1000)
        let whole = CaseScorer(model: Self.model).scoreCase(series)
        let (pieces, backdated) = Self.scoreInJobs(series, jobs: stride(from: 0, to: series.count, by: 37).map { $0..<min($0 + 37, series.count) })
        let raised = Set(backdated)
        #expect(pieces.map(\.score) == whole.map(\.score))
        #expect(pieces.map(\.rules) == whole.map(\.rules))
        // A job sees a breach as sustained a minute after it began: the rows before are raised afterwards.
        let final = pieces.map { $0.anomalous || raised.contains($0.timestamp) }
        #expect(final == whole.map(\.anomalous))
        #expect(!raised.isEmpty)
    }

    @Test func aSlowRecordScoredRowByRowAlarmsItsBreachFromItsFirstRow() {
        // One row every 45 s, MAP 52 for six rows: one breach of 270 s (the floor
        // joins consecutive rows of the record's pace), alarmed from its first row
        // by the whole case and, once a later job sees it sustained, by jobs of one row.
        let series = TestData.series("slow-jobs", seconds: stride(from: 0, to: 2700, by: 45)) { t in
            [.hr: 80, .mbp: (1350..<1620).contains(t) ? 52 : 82]
        }
        let whole = CaseScorer(model: Self.model).scoreCase(series)
        let low = series.timestamps.map { (1350..<1620).contains(Int($0 / 1_000_000)) }
        #expect(zip(whole, low).filter { $1 }.allSatisfy { $0.0.anomalous }, "every low row is in alarm")
        let (pieces, raised) = Self.scoreInJobs(series, jobs: (0..<series.count).map { $0..<($0 + 1) })
        let final = pieces.map { $0.anomalous || Set(raised).contains($0.timestamp) }
        #expect(final == whole.map(\.anomalous))
        #expect(pieces.map(\.score) == whole.map(\.score))
    }

    @Test func aJobWhoseContextStartsInsideALineInsertionSeesWhatTheWholeCaseSees() {
        // An arterial line unconnected for 7 minutes, then 70 s of the
        // transducer swinging (implausible triples, a missing row, plausible
        // low ones such as 76/32/47 that settling removes), then 132/68/95.
        // Jobs of one row put the start of a job's context on every row of
        // the swings: a plausible low row read there without the implausible
        // one before it was held through the swings as a minute of MAP 47,
        // and the floor raised it (seen in the demo).
        let swings: [(Float, Float, Float)?] = [(101, 1, 34), (68, 67, 67), nil, (76, 32, 47), (55, -16, 8), (120, 56, 77)]
        let series = TestData.series("insertion-jobs", seconds: stride(from: 0, to: 1000, by: 1)) { t in
            var row: [Vital: Float] = [.hr: 85]
            let triple: (Float, Float, Float)? = t < 420 ? (3, 3, 3) : t < 490 ? swings[t % swings.count] : (132, 68, 95)
            if let (systolic, diastolic, mean) = triple { row[.sbp] = systolic; row[.dbp] = diastolic; row[.mbp] = mean }
            return row
        }
        let whole = CaseScorer(model: Self.model).scoreCase(series)
        #expect(whole.allSatisfy { !$0.anomalous && $0.rules.isEmpty }, "the whole case has no breach")
        let (pieces, raised) = Self.scoreInJobs(series, jobs: [0..<880] + (880..<960).map { $0..<($0 + 1) } + [960..<series.count])
        #expect(raised.count == 0, "rows raised by a job's floor")
        #expect(pieces.map(\.score) == whole.map(\.score))
        #expect(pieces.map(\.anomalous) == whole.map(\.anomalous))
    }

    /// Scores `series` job by job as a worker does (each job sees the scores
    /// stored before it); the samples, and the earlier rows the jobs raised.
    static func scoreInJobs(_ series: SampleBatch, jobs: [Range<Int>]) -> (samples: [ScoredSample], raised: [Int64]) {
        let scorer = CaseScorer(model: model), minutes = MinuteMeans(series)
        var stored: [(time: Int64, score: Double)] = []
        var samples: [ScoredSample] = [], raised: [Int64] = []
        for rows in jobs {
            let scoring = scorer.score(series, rows: rows, minutes: minutes, earlier: stored)
            stored += scoring.samples.map { ($0.timestamp, $0.score) }
            samples += scoring.samples
            raised += scoring.backdated.map(\.timestamp)
        }
        return (samples, raised)
    }

    @Test func episodesBuiltJobByJobMatchTheWholeCaseDriversIncluded() {
        // As a worker builds them: each job's alarmed rows and the earlier rows
        // its floor raises, merged into the episodes stored so far.
        let series = TestData.patient("jobs-drivers", seconds: 1800, seed: 4, hypotension: 900..<1000)
        let whole = EpisodeBuilder().merge(caseID: series.caseID, existing: [],
                                           points: CaseScorer(model: Self.model).scoreCase(series).filter(\.anomalous).map(\.point)).upserted
        let episodes = Self.episodesInJobs(series, rowsPerJob: 37)
        #expect(!whole.isEmpty)
        #expect(episodes.map(\.start) == whole.map(\.start) && episodes.map(\.end) == whole.map(\.end))
        #expect(episodes.map(\.vitals) == whole.map(\.vitals), "drivers: jobs \(episodes.map(\.vitals)), whole \(whole.map(\.vitals))")
        #expect(episodes.map(\.source) == whole.map(\.source))
        #expect(episodes.map(\.raisedAt) == whole.map(\.raisedAt), "raised: jobs \(episodes.map(\.raisedAt)), whole \(whole.map(\.raisedAt))")
        #expect(episodes.map(\.alarms) == whole.map(\.alarms), "rule alarms: jobs \(episodes.map(\.alarms)), whole \(whole.map(\.alarms))")
        #expect(whole.allSatisfy { ($0.raisedAt ?? .min) >= $0.start }, "every episode raised, never before it starts")
    }

    /// The episodes of `series` as a worker builds them: each job's alarmed
    /// rows and the earlier rows its floor raises, merged into those stored so far.
    static func episodesInJobs(_ series: SampleBatch, rowsPerJob: Int) -> [Episode] {
        let scorer = CaseScorer(model: model), minutes = MinuteMeans(series), builder = EpisodeBuilder()
        var stored: [(time: Int64, score: Double)] = [], episodes: [Episode] = []
        for start in stride(from: 0, to: series.count, by: rowsPerJob) {
            let scoring = scorer.score(series, rows: start..<min(start + rowsPerJob, series.count), minutes: minutes, earlier: stored)
            stored += scoring.samples.map { ($0.timestamp, $0.score) }
            let changes = builder.merge(caseID: series.caseID, existing: episodes,
                                        points: (scoring.samples.filter(\.anomalous) + scoring.backdated).map(\.point))
            episodes.removeAll { old in (changes.deleted + changes.upserted).contains { $0.start == old.start } }
            episodes = (episodes + changes.upserted).sorted { $0.start < $1.start }
        }
        return episodes
    }

    /// An episode says when its alarm was raised, not only when it starts:
    /// a step into hypotension is stored from its first second but alarmed
    /// once the score has held 15 s; an asystole, an extreme the filter keeps
    /// only once it has lasted 20 s, starts and is raised by the floor then.
    @Test func anEpisodeKnowsWhenItsAlarmWasRaised() {
        let series = TestData.series("raised", seconds: stride(from: 0, to: 1800, by: 1)) { t in
            [.hr: (1400..<1460).contains(t) ? 0 : 80, .mbp: (900..<1080).contains(t) ? 55 : 85, .spo2: 98]
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        let episodes = EpisodeBuilder().merge(caseID: series.caseID, existing: [], points: samples.filter(\.anomalous).map(\.point)).upserted
        let second: (Int64) -> Int64 = { ($0 - series.timestamps[0]) / 1_000_000 }
        let found = episodes.map { "\(second($0.start))-\(second($0.end)) raised \($0.raisedAt.map(second) ?? -1) \($0.source)" }
        let hypotension = episodes.first { (895...900).contains(second($0.start)) }
        #expect(hypotension.map(\.start).map(second) == 900 && hypotension.flatMap(\.raisedAt).map(second) == 915, "\(found)")
        let asystole = episodes.first { (1400...1420).contains(second($0.start)) }
        #expect(asystole.map(\.start).map(second) == 1420 && asystole.flatMap(\.raisedAt).map(second) == 1420, "\(found)")
    }

    /// HR 260 for 90 s (an infant's SVT) alarms from its 20th second, when the
    /// filter keeps it, through the floor: until 2026-12-06 a heart rate past
    /// the plausible range was an artefact however long it lasted, and raised nothing.
    @Test func aTachyarrhythmiaPastTheRangeAlarms() {
        let series = TestData.series("svt", seconds: stride(from: 0, to: 900, by: 1)) { t in
            [.hr: (600..<690).contains(t) ? 260 : 120, .spo2: 98, .mbp: 60 + 10]
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        #expect((620..<690).allSatisfy { samples[$0].anomalous && samples[$0].rules.contains("hr_gt_140") }, "in alarm from 620 s")
        #expect(samples[620].source == .rule || samples[620].source == .both)
        #expect(!samples[500].anomalous)
    }

    /// 25 s of diathermy on the ECG (HR jumping between 150 and 245) raised
    /// an alarm: HR > 140 held its 15 s. Now the burst is missing HR, and an
    /// SVT at 185 for 90 s still alarms through the floor.
    @Test func aDiathermyBurstDoesNotAlarmAndATachycardiaDoes() {
        let burst: [Float] = [180, 230, 165, 240, 150, 210, 175, 245, 160, 225]
        let series = TestData.series("diathermy", seconds: stride(from: 0, to: 1200, by: 1)) { t in
            let hr: Float = (600..<625).contains(t) ? burst[(t - 600) % burst.count] : (900..<990).contains(t) ? 185 : 72
            return [.hr: hr, .spo2: 98, .mbp: 80]
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        #expect(!(590..<800).contains { samples[$0].anomalous }, "the burst: \((590..<800).filter { samples[$0].anomalous }.first ?? -1)")
        #expect((960..<990).allSatisfy { samples[$0].anomalous }, "the SVT")
    }

    /// A ventricular fibrillation in a feed of HR and SpO2 alone: the ECG
    /// counts it as a zigzag (rule 7's diathermy) and the oximeter loses its
    /// pulse at once. Kept from 10 s after the oximeter's last reading, it
    /// breaches the HR rules and alarms 15 s later; before, nothing of it was
    /// left to read. Jobs of 7 s give the whole case's scores and alarms.
    /// (Past two minutes of loss the zigzag is removed again: the alarm is
    /// then held its 120 s and ends.)
    @Test func aFibrillationInAFeedOfHeartRateAndSaturationAlarms() {
        let count: [Float] = [28, 190, 12, 240, 35, 150, 0, 275, 20, 210]
        let series = TestData.series("vf-hr-spo2", seconds: stride(from: 0, to: 1200, by: 1)) { t in
            var row: [Vital: Float] = [.hr: t >= 900 ? count[t % count.count] : 74]
            if t < 902 { row[.spo2] = 97 }
            return row
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        let episodes = EpisodeBuilder().merge(caseID: series.caseID, existing: [], points: samples.filter(\.anomalous).map(\.point)).upserted
        let found = episodes.map { "\($0.start / 1_000_000)-\($0.end / 1_000_000) raised \(($0.raisedAt ?? 0) / 1_000_000)" }
        // Raised when the score has held 15 s; the floor's breach (kept for two minutes of loss) runs from the first count.
        #expect(episodes.count == 1 && episodes.first?.start == 900_000_000 && episodes.first?.raisedAt == 926_000_000, "\(found)")
        #expect(samples[926].rules.contains { $0.hasPrefix("hr_") }, "\(samples[926].rules)")
        #expect(!(0..<900).contains { samples[$0].anomalous })
        var blind = Self.model
        blind.artefacts.erraticHeartRate.oximeterLostSeconds = 0
        let blindAlarms = CaseScorer(model: blind).scoreCase(series).filter(\.anomalous).count
        #expect(blindAlarms == 0, "without the oximeter's sign: silent")
        let (pieces, raised) = Self.scoreInJobs(series, jobs: stride(from: 0, to: series.count, by: 7).map { $0..<min($0 + 7, series.count) })
        #expect(pieces.map(\.score) == samples.map(\.score))
        #expect(pieces.map { $0.anomalous || Set(raised).contains($0.timestamp) } == samples.map(\.anomalous))
    }

    @Test func anUntrainedModelScoresWithRiskAndFloorAlone() {
        let samples = CaseScorer(model: .untrained()).scoreCase(Self.falling())
        #expect(samples[2200].anomalous && samples[1000].score < 0.1)
    }

    @Test func pressuresFarFromTheLimitStillRankLowerAsRiskier() {
        // Breach risks far below 1e-16 must not all round to a score of 0:
        // a ranking (ROC, an analyst's sort) needs 100 mmHg below 120 mmHg.
        func lastScore(_ map: Float) -> Double {
            let series = TestData.series("flat-\(map)", seconds: stride(from: 0, to: 900, by: 1)) { _ in [.mbp: map] }
            return CaseScorer(model: .untrained()).scoreCase(series).last!.score
        }
        let scores = [90, 100, 110, 120].map { lastScore(Float($0)) }
        #expect(scores[3] > 0 && scores[3] < scores[2] && scores[2] < scores[1] && scores[1] < scores[0] && scores[0] < 0.8, "\(scores)")
    }

    @Test func serialisationRoundTripGivesIdenticalScores() throws {
        let bytes = try Self.model.encoded()
        let decoded = try AnomalyModel.decode(bytes)
        #expect(decoded.metadata == Self.model.metadata)
        let series = Self.falling()
        #expect(CaseScorer(model: decoded).scoreCase(series) == CaseScorer(model: Self.model).scoreCase(series))
        #expect(try decoded.encoded() == bytes, "encoding is deterministic")
    }

    @Test func anOldOrMalformedModelIsRefusedWithAReason() {
        #expect { try AnomalyModel.decode(Array("{\"format_version\": 1}".utf8)) } throws: { error in
            String(describing: error).contains("physio train --register")
        }
        #expect(throws: (any Error).self) { try AnomalyModel.decode([0xFF, 0x00]) }
    }
}
