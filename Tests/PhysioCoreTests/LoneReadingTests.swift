import Testing
@testable import PhysioCore

/// A cuff's reading beside vitals sent every second is raised once the
/// seconds after it show it came alone (`LoneReading`); an arterial line's
/// first reading waits the breach's 15 s, as before.
@Suite struct LoneReadingTests {
    static let model = DetectorTests.model

    static func episodes(_ series: SampleBatch) -> [Episode] {
        let samples = CaseScorer(model: model).scoreCase(series)
        return EpisodeBuilder().merge(caseID: series.caseID, existing: [], points: samples.filter(\.anomalous).map(\.point)).upserted
    }

    static func described(_ episodes: [Episode]) -> String {
        "\(episodes.map { ($0.start / 1_000_000, ($0.raisedAt ?? 0) / 1_000_000, $0.source.rawValue) })"
    }

    /// A cuff every 5 min beside a 1-Hz oximeter: one reading of 35/22 after
    /// normal ones is raised 5 s after it (until 2026-12-08, 15 s; until
    /// 2026-12-06, 300 s later, with the next reading). An arterial line
    /// connected after that cuff, reading 22/12 at its first second and then
    /// flat and swinging while it is flushed into place, alarms for none of
    /// it: the first reading is kept alone, and the removed ones after it end
    /// its hold.
    @Test func aCuffsLoneReadingPastTheRangeAlarmsAndALineConnectedAfterACuffDoesNot() {
        let cuffTimes: Set<Int> = [0, 300, 600, 900, 1200, 1500]
        let series = TestData.series("cuff-then-line", seconds: stride(from: 0, to: 2400, by: 1)) { t in
            var row: [Vital: Float] = [.hr: 78, .spo2: 98]
            if cuffTimes.contains(t) { (row[.sbp], row[.dbp]) = t == 900 ? (35, 22) : (118, 72) }
            if t >= 1700 {   // the line: 22/12, then −3/−3 and swings while flushed, then the patient's 120/70
                let (s, d): (Float, Float) = t == 1700 ? (22, 12) : t < 1730 ? ((t % 7 == 0) ? 300 : -3, (t % 7 == 0) ? 290 : -3) : (120, 70)
                (row[.sbp], row[.dbp]) = (s, d)
            }
            return row
        }
        let samples = CaseScorer(model: Self.model).scoreCase(series)
        let episodes = Self.episodes(series)
        let cuff = episodes.first { $0.start == 900_000_000 }
        #expect(cuff?.raisedAt == 905_000_000, "the 35/22 at 900 s: \(Self.described(episodes))")
        #expect(samples[905].rules.contains("sbp_lt_80"))
        #expect(cuff?.alarms.contains { $0.rule == "sbp_lt_80" && $0.raisedAt == 905_000_000 } == true, "\(cuff?.alarms ?? [])")
        #expect((1690..<2400).allSatisfy { !samples[$0].anomalous }, "the line's connection: \((1690..<2400).filter { samples[$0].anomalous }.prefix(5))")
    }

    /// A plausible low cuff reading (SBP 72) beside a 1-Hz ECG and oximeter:
    /// raised 5 s after it, once five rows have come without a pressure.
    @Test func aLowCuffReadingBesideASecondByFeedIsRaisedFiveSecondsAfterIt() {
        let series = TestData.series("cuff-low", seconds: stride(from: 0, to: 1800, by: 1)) { t in
            var row: [Vital: Float] = [.hr: 80, .spo2: 98]
            if t % 300 == 0 { (row[.sbp], row[.dbp], row[.mbp]) = t == 1200 ? (72, 40, 51) : (118, 70, 86) }
            return row
        }
        let episodes = Self.episodes(series)
        #expect(episodes.count == 1, "\(Self.described(episodes))")
        #expect(episodes.first?.start == 1_200_000_000 && episodes.first?.raisedAt == 1_205_000_000, "\(Self.described(episodes))")
        // Its rules' own alarms, the deeper MAP < 55 tier included, come with it.
        #expect(Set(episodes.first?.alarms.map(\.rule) ?? []) == ["sbp_lt_80", "mbp_lt_65", "mbp_lt_55"], "\(episodes.first?.alarms ?? [])")
        #expect(episodes.first?.alarms.allSatisfy { $0.raisedAt == 1_205_000_000 } == true, "\(episodes.first?.alarms ?? [])")
    }

    /// An arterial line sending every second, or every 6 s beside a 1-Hz ECG,
    /// whose low reading is followed by readings back in range: no alarm (a
    /// line reads again soon, and a pressure came in the 30 s before it).
    @Test func aLinesBriefLowReadingIsNotALoneReading() {
        for pace in [1, 6] {
            let series = TestData.series("line-\(pace)", seconds: stride(from: 0, to: 1800, by: 1)) { t in
                var row: [Vital: Float] = [.hr: 80, .spo2: 98]
                if t % pace == 0 { row[.mbp] = (1200..<1200 + 2 * pace).contains(t) ? 58 : 84 }
                return row
            }
            let episodes = Self.episodes(series)
            #expect(episodes.isEmpty, "a line every \(pace) s: \(Self.described(episodes))")
        }
    }

    /// A line sending every 15 s beside a 1-Hz ECG, whose first reading is
    /// low (its connection) and its next one normal: no alarm. Its first
    /// reading follows no cuff reading, so it waits the breach's 15 s, which
    /// the next reading ends.
    @Test func aSlowLinesFirstReadingIsNotACuffs() {
        let series = TestData.series("slow-line", seconds: stride(from: 0, to: 1800, by: 1)) { t in
            var row: [Vital: Float] = [.hr: 80, .spo2: 98]
            if t >= 600 && t % 15 == 0 { (row[.sbp], row[.dbp], row[.mbp]) = t == 600 ? (50, 33, 39) : (112, 66, 82) }
            return row
        }
        let episodes = Self.episodes(series)
        #expect(episodes.isEmpty, "\(Self.described(episodes))")
    }

    /// The same low line reading once its line has stopped sending (no
    /// pressure after it): the held value alarms 15 s after it, as before,
    /// since a pressure came in the 30 s before it.
    @Test func aLineThatStopsAfterALowReadingWaitsTheFifteenSeconds() {
        let series = TestData.series("line-stops", seconds: stride(from: 0, to: 1800, by: 1)) { t in
            var row: [Vital: Float] = [.hr: 80, .spo2: 98]
            if t <= 1200 { row[.mbp] = t == 1200 ? 58 : 84 }
            return row
        }
        let episodes = Self.episodes(series)
        #expect(episodes.first?.start == 1_200_000_000 && episodes.first?.raisedAt == 1_215_000_000, "\(Self.described(episodes))")
    }

    /// Scored by a worker in jobs of one second, as monitors send it live:
    /// the same episode, raised at the same time, as scoring the whole case.
    @Test func jobsOfOneSecondRaiseALoneReadingAsTheWholeCaseDoes() {
        let series = TestData.series("cuff-jobs", seconds: stride(from: 0, to: 1500, by: 1)) { t in
            var row: [Vital: Float] = [.hr: 80, .spo2: 98]
            if t % 300 == 0 { (row[.sbp], row[.dbp]) = t == 900 ? (70, 38) : (118, 70) }
            return row
        }
        let whole = Self.episodes(series)
        let jobs = DetectorTests.episodesInJobs(series, rowsPerJob: 1)
        #expect(whole.first?.raisedAt == 905_000_000, "\(Self.described(whole))")
        #expect(jobs.map(\.start) == whole.map(\.start) && jobs.map(\.end) == whole.map(\.end), "jobs \(Self.described(jobs)), whole \(Self.described(whole))")
        #expect(jobs.map(\.raisedAt) == whole.map(\.raisedAt) && jobs.map(\.source) == whole.map(\.source))
        #expect(jobs.map(\.alarms) == whole.map(\.alarms))
    }
}
