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

    @Test func aDesaturationInsideAHypotensionRaisesItsOwnAlarm() throws {
        let episodes = Self.episodes(Self.hypotension(desaturation: 900..<1100))
        let episode = try #require(episodes.first { $0.start <= 300_000_000 && $0.end >= 1_400_000_000 }, "\(episodes)")
        #expect(episode.rules.contains("spo2_lt_90") && episode.rules.contains("mbp_lt_65"))
        let spo2 = try #require(Self.second(episode.alarms["spo2_lt_90"]))
        #expect((927...932).contains(spo2), "raised once SpO2 < 90 (from 913 s) has held 15 s: \(spo2)")
        let pressure = try #require(Self.second(episode.alarms["mbp_lt_65"]))
        #expect((300...320).contains(pressure), "the hypotension's own: \(pressure)")
        #expect(episode.laterAlarms.map(\.rule) == ["spo2_lt_90"], "\(episode.laterAlarms)")
        #expect(episode.raisedAt.map { $0 <= episode.alarms["mbp_lt_65"]! } == true)
    }

    @Test func aDipOfAFewSecondsRaisesNothing() throws {
        let episodes = Self.episodes(Self.hypotension(desaturation: 900..<940))
        let episode = try #require(episodes.first { $0.start <= 300_000_000 && $0.end >= 1_400_000_000 })
        #expect(episode.rules.contains("spo2_lt_90"), "the rule fired")
        #expect(episode.alarms["spo2_lt_90"] == nil, "14 s below 90 % is no alarm, as a plain rule held 15 s")
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
        let spo2 = try #require(Self.second(episode.alarms["spo2_lt_90"]))
        #expect((955...975).contains(spo2), "the floor's minute: \(spo2)")
    }

    @Test func scoredJobByJobTheAlarmsAreTheWholeCases() throws {
        let series = Self.hypotension(desaturation: 900..<1100)
        let whole = Self.episodes(series)
        #expect(whole.contains { $0.alarms["spo2_lt_90"] != nil })
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
        let deeper = try #require(Self.second(episode.alarms["mbp_lt_55"]), "\(episode.alarms)")
        #expect((915...920).contains(deeper), "15 s below 55: \(deeper)")
        #expect(episode.alarms["spo2_lt_90"] != nil && episode.alarms["spo2_lt_80"] == nil, "\(episode.alarms)")
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

    @Test func mergingKeepsEachRulesFirstAlarm() {
        var first = Episode(caseID: "m", start: 0, end: 10, peakScore: 1, peakTime: 0, vitals: [], rules: ["mbp_lt_65"],
                            raisedAt: 5, alarms: ["mbp_lt_65": 5])
        let second = Episode(caseID: "m", start: 20, end: 40, peakScore: 1, peakTime: 20, vitals: [], rules: ["mbp_lt_65", "spo2_lt_90"],
                             raisedAt: 25, alarms: ["mbp_lt_65": 25, "spo2_lt_90": 35])
        var other = second
        other.absorb(first)
        first.absorb(second)
        #expect(first.alarms == ["mbp_lt_65": 5, "spo2_lt_90": 35] && other.alarms == first.alarms, "order does not matter")
        #expect(first.laterAlarms.map(\.rule) == ["spo2_lt_90"])
    }
}
