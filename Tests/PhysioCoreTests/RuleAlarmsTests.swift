import Foundation
import Testing
@testable import PhysioCore

/// Each rule's own alarm inside an episode (`Episode.alarms`): a second
/// vital's breach inside an episode already open for another, a
/// desaturation during a hypotension, is raised as an alarm of its own.
@Suite struct RuleAlarmsTests {
    /// MAP 55 from 300 s to 1500 s; inside it SpO2 falls from 96 % by 0.5 %
    /// a second from the start of `desaturation` to 84 %, and back at its end
    /// (below 90 % 12 s after the start).
    static func hypotension(desaturation: Range<Int>) -> SampleBatch {
        TestData.series("rule-alarms", seconds: stride(from: 0, to: 1800, by: 1)) { t in
            let low = (300..<1500).contains(t)
            let fall = Float(min(max(t - desaturation.lowerBound, 0), max(desaturation.upperBound - t, 0))) * 0.5
            return [.hr: 80, .sbp: low ? 78 : 120, .dbp: low ? 45 : 65, .mbp: low ? 55 : 85, .spo2: 96 - min(fall, 12)]
        }
    }

    static func episodes(_ series: SampleBatch) -> [Episode] {
        let samples = CaseScorer(model: DetectorTests.model).scoreCase(series)
        return EpisodeBuilder().merge(caseID: series.caseID, existing: [], points: samples.filter(\.anomalous).map(\.point)).upserted
    }

    static func second(_ time: Int64?) -> Int64? { time.map { $0 / 1_000_000 } }

    /// When `rule`'s alarms were raised in `episode`, in seconds.
    static func raised(_ episode: Episode, _ rule: String) -> [Int64] {
        episode.raisedAlarms.filter { $0.rule == rule }.map { $0.raisedAt / 1_000_000 }
    }

    @Test func aDesaturationInsideAHypotensionRaisesItsOwnAlarm() throws {
        let episodes = Self.episodes(Self.hypotension(desaturation: 900..<1100))
        let episode = try #require(episodes.first { $0.start <= 300_000_000 && $0.end >= 1_400_000_000 }, "\(episodes)")
        #expect(episode.rules.contains("spo2_lt_90") && episode.rules.contains("mbp_lt_65"))
        let spo2 = try #require(Self.raised(episode, "spo2_lt_90").first)
        #expect((927...932).contains(spo2) && Self.raised(episode, "spo2_lt_90").count == 1, "raised once SpO2 < 90 (from 913 s) has held 15 s: \(spo2)")
        let pressure = try #require(Self.raised(episode, "mbp_lt_65").first)
        #expect((300...320).contains(pressure) && Self.raised(episode, "mbp_lt_65").count == 1, "the hypotension's own: \(pressure)")
        #expect(episode.laterAlarms.map(\.rule) == ["spo2_lt_90"], "\(episode.laterAlarms)")
        #expect(episode.raisedAt.map { $0 / 1_000_000 <= pressure } == true)
    }

    @Test func aDipOfAFewSecondsRaisesNothing() throws {
        let episodes = Self.episodes(Self.hypotension(desaturation: 900..<940))
        let episode = try #require(episodes.first { $0.start <= 300_000_000 && $0.end >= 1_400_000_000 })
        #expect(episode.rules.contains("spo2_lt_90"), "the rule fired")
        #expect(Self.raised(episode, "spo2_lt_90").isEmpty, "14 s below 90 % is no alarm, as a plain rule held 15 s")
        #expect(episode.alarms.contains { $0.rule == "spo2_lt_90" && $0.raisedAt == nil }, "kept unraised: a later job may join it")
        #expect(episode.laterAlarms.isEmpty)
    }

    /// A saturation wavering across 90 (8 s below, 3 s above) never holds 15 s
    /// in a row; the safety floor's breach joins the dips and raises it at its minute.
    @Test func aWaveringDesaturationIsRaisedByTheFloorsMinute() throws {
        let series = TestData.series("wavering", seconds: stride(from: 0, to: 1800, by: 1)) { t in
            let low = (300..<1500).contains(t)
            let dipping = (900..<1100).contains(t) && (t - 900) % 11 < 8
            return [.hr: 80, .sbp: low ? 78 : 120, .dbp: low ? 45 : 65, .mbp: low ? 55 : 85, .spo2: dipping ? 85 : 93]
        }
        let episode = try #require(Self.episodes(series).first { $0.start <= 300_000_000 && $0.end >= 1_400_000_000 })
        let spo2 = try #require(Self.raised(episode, "spo2_lt_90").first)
        #expect((955...975).contains(spo2) && Self.raised(episode, "spo2_lt_90").count == 1, "the floor's minute, once: \(spo2)")
    }

    @Test func scoredJobByJobTheAlarmsAreTheWholeCases() throws {
        let series = Self.hypotension(desaturation: 900..<1100)
        let whole = Self.episodes(series)
        #expect(whole.contains { !Self.raised($0, "spo2_lt_90").isEmpty })
        for size in [13, 60] {
            #expect(DetectorTests.episodesInJobs(series, rowsPerJob: size).map(\.alarms) == whole.map(\.alarms), "jobs of \(size) rows")
        }
    }

    /// A hypotension deepening inside its episode (MAP 60, then 48 from
    /// 900 s) raises MAP < 55 as an alarm of its own; a desaturation to 84 %
    /// raises SpO2 < 90 but not the Desat tier, SpO2 < 80.
    @Test func aBreachThatDeepensRaisesItsEscalation() throws {
        let series = TestData.series("deepening", seconds: stride(from: 0, to: 1800, by: 1)) { t in
            let mean: Float = (300..<1500).contains(t) ? (t < 900 ? 60 : 48) : 85
            return [.hr: 80, .sbp: mean + 35, .dbp: mean - 15, .mbp: mean, .spo2: (1000..<1200).contains(t) ? 84 : 97]
        }
        let episode = try #require(Self.episodes(series).first { $0.start <= 300_000_000 && $0.end >= 1_400_000_000 })
        let deeper = try #require(Self.raised(episode, "mbp_lt_55").first, "\(episode.alarms)")
        #expect((915...920).contains(deeper), "15 s below 55: \(deeper)")
        #expect(!Self.raised(episode, "spo2_lt_90").isEmpty && Self.raised(episode, "spo2_lt_80").isEmpty, "\(episode.alarms)")
        #expect(episode.laterAlarms.map(\.rule) == ["mbp_lt_55", "spo2_lt_90"], "\(episode.laterAlarms)")
        #expect(!episode.rules.contains("mbp_lt_55"), "a tier of an alarm, not a rule of the labels")
    }

    @Test func aModelWrittenBeforeEscalationsGetsTheStandardOnes() throws {
        let policy = try JSONDecoder().decode(AlarmPolicy.self, from: Data("""
            {"threshold":0.9,"persist_seconds":15,"hold_seconds":120,"floor_sustain_seconds":60,"floor_gap_seconds":30}
            """.utf8))
        #expect(policy.escalations.map(\.id) == ["spo2_lt_80", "mbp_lt_55"])
        let none = try JSONDecoder().decode(AlarmPolicy.self, from: JSONEncoder().encode(AlarmPolicy(escalations: [])))
        #expect(none.escalations.isEmpty, "an empty list stays empty")
    }

    /// Merging joins a rule's spans less than `RuleAlarm.rearmSeconds` apart
    /// into one alarm (the earlier raise) and keeps those further apart as
    /// two: two hypotensions minutes apart, bridged by late rows, are two
    /// alarms, the second still to be acknowledged.
    @Test func mergingJoinsARulesSpansOnlyWithinTheRearmTime() {
        let s: Int64 = 1_000_000
        func episode(_ start: Int64, _ end: Int64, _ alarms: [RuleAlarm]) -> Episode {
            Episode(caseID: "m", start: start * s, end: end * s, peakScore: 1, peakTime: start * s, vitals: [],
                    rules: Array(Set(alarms.map(\.rule))).sorted(), raisedAt: alarms.compactMap(\.raisedAt).min(), alarms: alarms)
        }
        let a = episode(0, 100, [RuleAlarm(rule: "mbp_lt_65", first: 0, last: 100 * s, raisedAt: 15 * s)])
        let near = episode(150, 200, [RuleAlarm(rule: "mbp_lt_65", first: 150 * s, last: 200 * s, raisedAt: 165 * s),
                                      RuleAlarm(rule: "spo2_lt_90", first: 160 * s, last: 190 * s, raisedAt: 175 * s)])
        let far = episode(400, 500, [RuleAlarm(rule: "mbp_lt_65", first: 400 * s, last: 500 * s, raisedAt: 415 * s)])
        var forward = a, backward = far
        for other in [near, far] { forward.absorb(other) }
        for other in [near, a] { backward.absorb(other) }
        #expect(forward.alarms == backward.alarms, "order does not matter")
        #expect(forward.raisedAlarms.map { "\($0.rule)@\($0.raisedAt / s)" } == ["mbp_lt_65@15", "spo2_lt_90@175", "mbp_lt_65@415"],
                "\(forward.alarms)")
        #expect(forward.laterAlarms.count == 2)
    }

    /// A hypotension back after four minutes above 65, inside one episode the
    /// score kept open, raises a second alarm; a return after one minute does not.
    @Test func aBreachBackAfterMinutesOfRecoveryIsANewAlarm() throws {
        for (recovery, alarms) in [(240, 2), (60, 1)] {
            let series = TestData.series("again-\(recovery)", seconds: stride(from: 0, to: 2400, by: 1)) { t in
                let low = (300..<600).contains(t) || (600 + recovery..<900 + recovery).contains(t)
                return [.hr: 80, .sbp: low ? 85 : 100, .dbp: low ? 45 : 55, .mbp: low ? 58 : 68, .spo2: 97]
            }
            let episodes = Self.episodes(series)
            let times = episodes.flatMap { Self.raised($0, "mbp_lt_65") }
            #expect(times.count == alarms, "recovery \(recovery) s: \(episodes.map(\.alarms))")
            if alarms == 2 { #expect((855...860).contains(times[1]), "15 s into the second fall: \(times)") }
        }
    }

    /// After a 3-minute gap in the data, a breach that goes on is raised anew
    /// in its new episode, not dated from before the gap.
    @Test func aBreachAfterAGapInTheDataIsRaisedAfterIt() throws {
        let series = TestData.series("gap", seconds: Array(0..<600) + Array(780..<1400)) { t in
            let low = t >= 400
            return [.hr: 80, .sbp: low ? 85 : 110, .dbp: low ? 45 : 60, .mbp: low ? 58 : 75, .spo2: 97]
        }
        let episodes = Self.episodes(series)
        for episode in episodes {
            #expect(episode.raisedAlarms.allSatisfy { $0.raisedAt >= episode.start }, "\(episode.start / 1_000_000): \(episode.alarms)")
        }
    }
}
