import Testing
@testable import PhysioCore

@Suite struct TrendAndHoldTests {
    @Test func slopesOfALineAreExactAndInUnitsPerMinute() {
        let series = TestData.series(seconds: stride(from: 0, to: 600, by: 2)) { t in [.mbp: 90 - Float(t) / 30] }   // −2 /min
        let trend = VitalTrend(series, vital: .mbp, rows: 200..<300, windows: TrendWindows())
        for window in trend.slopes { #expect(window.allSatisfy { abs($0 + 2) < 1e-3 }) }
        // Spread of a line over 300 s at 2 mmHg/min: uniform over 10 mmHg, sd = 10/√12.
        #expect(trend.spread.allSatisfy { abs($0 - 10 / Float(12).squareRoot()) < 0.05 })
    }

    @Test func aWindowWithTooFewSamplesOrTooShortACoverHasNoSlope() {
        // A cuff every 4 minutes: at most two readings in 5 minutes.
        let series = TestData.series(seconds: stride(from: 0, to: 1200, by: 240)) { _ in [.sbp: 110] }
        let trend = VitalTrend(series, vital: .sbp, rows: 0..<series.count, windows: TrendWindows())
        #expect(trend.slopes.allSatisfy { $0.allSatisfy(\.isNaN) })
        // 1-Hz data that started 20 s ago: the 60-s window is less than half covered.
        let young = TestData.series(seconds: stride(from: 0, to: 20, by: 1)) { t in [.hr: Float(60 + t)] }
        let early = VitalTrend(young, vital: .hr, rows: 19..<20, windows: TrendWindows())
        #expect(early.slopes[0][0].isNaN)
    }

    @Test func aSampleExactlyAWindowBackCountsWhicheverRowScoringStartsAt() {
        // A monitor's own clock: rows once a second, milliseconds past it that
        // repeat every minute, so each row has a sample exactly 60, 180 and
        // 300 s back. A worker's job starts at any row; the case at 0.
        var series = SampleBatch(caseID: "jitter")
        for i in 0..<1500 {
            let row = series.appendRow(timestamp: Int64(i) * 1_000_000 + Int64(i % 60 * 37 % 1000) * 1000)
            series.set(.hr, row: row, to: 70 + Float(i % 7) + Float(i) / 50)
        }
        let whole = VitalTrend(series, vital: .hr, rows: 0..<1500, windows: TrendWindows())
        var differing = 0
        for start in stride(from: 1200, to: 1500, by: 7) {
            let job = VitalTrend(series, vital: .hr, rows: start..<1500, windows: TrendWindows())
            for w in 0..<3 {
                differing += (start..<1500).filter { abs(job.slopes[w][$0 - start] - whole.slopes[w][$0]) > 1e-4 }.count
            }
        }
        #expect(differing == 0)
    }

    @Test func valuesAreHeldForTheirVitalsHold() {
        // HR each second until 10 s; a cuff reading at 0 s and 300 s.
        let series = TestData.series(seconds: stride(from: 0, to: 700, by: 1)) { t in
            var row: [Vital: Float] = t < 10 ? [.hr: 70] : [.spo2: 98]
            if t == 0 || t == 300 { row[.sbp] = Float(t == 0 ? 75 : 120) }
            return row
        }
        let held = VitalHold.standard.held(series, rows: 0..<series.count)
        func value(_ vital: Vital, _ t: Int) -> Float { held[t * Vital.count + vital.rawValue] }
        #expect(value(.hr, 39) == 70 && value(.hr, 41).isNaN, "HR holds 30 s after its last sample at 9 s")
        #expect(value(.sbp, 299) == 75 && value(.sbp, 300) == 120, "a cuff reading stands until the next")
        #expect(value(.sbp, 660) == 120 && value(.sbp, 661).isNaN, "and at most 6 minutes")
        // Context before the rows is read.
        let later = VitalHold.standard.held(series, rows: 350..<351)
        #expect(later[Vital.sbp.rawValue] == 120)
    }

    @Test func minuteMeansFromSamplesEqualThoseFromAggregateSums() {
        let series = TestData.series(seconds: stride(from: 0, to: 600, by: 1)) { t in [.hr: Float(60 + t % 7), .sbp: t % 60 < 30 ? 100 : 120] }
        let fromRows = MinuteMeans(series)
        #expect(fromRows.minutes == Array(0..<10))
        var sums: [Double] = [], counts: [Int64] = [], lows: [Float] = [], highs: [Float] = []
        for minute in (0..<10).reversed() {   // the aggregate's rows in any order
            for vital in Vital.allCases {
                let rows = (minute * 60)..<(minute * 60 + 60)
                let values = rows.compactMap { series.value(vital, row: $0) }
                sums.append(values.reduce(0) { $0 + Double($1) })
                counts.append(Int64(values.count))
                lows.append(values.min() ?? .nan)
                highs.append(values.max() ?? .nan)
            }
        }
        let fromSums = MinuteMeans(minutes: Array((0..<10).reversed()), sums: sums, counts: counts, lows: lows, highs: highs)
        #expect(fromSums.minutes == fromRows.minutes)
        #expect(fromSums.means.map(\.bitPattern) == fromRows.means.map(\.bitPattern), "NaN where both have none")
        #expect(fromSums.lows.map(\.bitPattern) == fromRows.lows.map(\.bitPattern))
        #expect(fromSums.highs.map(\.bitPattern) == fromRows.highs.map(\.bitPattern))
        #expect(fromRows.lows[3 * Vital.count + Vital.sbp.rawValue] == 100 && fromRows.highs[3 * Vital.count + Vital.sbp.rawValue] == 120)
        #expect(fromRows.mean(.sbp, at: 3) == 110)
    }

    @Test func aMinuteWithAFlushIsLeftOutOfTheBaselineAndItsWander() {
        // 40 minutes of SBP 120/DBP 60 wandering ±1 mmHg a minute; in minute 20 a
        // 10-s flush (300/290) lifts the minute's SBP mean to 150, plausible itself.
        let series = TestData.series(seconds: stride(from: 0, to: 2400, by: 1)) { t in
            let flush = t / 60 == 20 && t % 60 < 10
            return [.sbp: flush ? 300 : 120 + Float((t / 60) % 2), .dbp: flush ? 290 : 60, .hr: 70]
        }
        let means = MinuteMeans(series)
        #expect(means.mean(.sbp, at: 20) == 150, "the flush lifts the minute's mean")
        let baselines = BaselineWindow().baselines(at: 39, in: means, artefacts: .standard, rules: .standard)
        #expect(baselines[Vital.sbp.rawValue].wander < 1.5, "\(baselines[Vital.sbp.rawValue].wander): the flush's steps are not wander")
        #expect(baselines[Vital.mbp.rawValue].wander < 1.5, "nor in the MAP estimated from the same transducer")
        #expect(abs(baselines[Vital.hr.rawValue].wander) < 0.01, "another vital's minute stays")
    }

    @Test func aMinuteThatBreachesTheVitalsRulesIsLeftOutOfTheBaselineAndItsWander() {
        // 40 minutes of HR 70/72 at 1 Hz; in minute 20 ten seconds of HR 200
        // (mean 92: only the minute's highest value breaches HR > 140), and in
        // minute 30 SpO2 88 % throughout (the mean breaches).
        let series = TestData.series(seconds: stride(from: 0, to: 2400, by: 1)) { t in
            let minute = t / 60
            return [.hr: minute == 20 && t % 60 < 10 ? 200 : 70 + Float(minute % 2) * 2,
                    .spo2: minute == 30 ? 88 : 97 + Float(minute % 2)]
        }
        let means = MinuteMeans(series)
        let baselines = BaselineWindow().baselines(at: 39, in: means, artefacts: .standard, rules: .standard)
        #expect(abs(baselines[Vital.hr.rawValue].wander - 2) < 0.01, "\(baselines[Vital.hr.rawValue].wander)")
        #expect(abs(baselines[Vital.spo2.rawValue].wander - 1) < 0.01, "\(baselines[Vital.spo2.rawValue].wander)")
        let without = BaselineWindow().baselines(at: 39, in: means, artefacts: .standard, rules: ClinicalRules(rules: []))
        #expect(without[Vital.hr.rawValue].wander > 5 && without[Vital.spo2.rawValue].wander > 2, "with no rules the minutes count")
    }

    @Test func theBaselineIsTheMedianOfEarlierMinutesAndMAPIsEstimated() {
        // 40 minutes: SBP 120/DBP 60 (MAP estimate 80), HR 70 except a wild minute 20.
        let series = TestData.series(seconds: stride(from: 0, to: 2400, by: 1)) { t in
            [.hr: t / 60 == 20 ? 300 : 70 + Float((t / 60) % 2) * 2, .sbp: 120, .dbp: 60]
        }
        let means = MinuteMeans(series)
        let baselines = BaselineWindow().baselines(at: 39, in: means, artefacts: .standard, rules: .standard)
        #expect(baselines[Vital.hr.rawValue].level == 71 || baselines[Vital.hr.rawValue].level == 70 || baselines[Vital.hr.rawValue].level == 72)
        #expect(abs(baselines[Vital.hr.rawValue].wander - 2) < 0.5, "minute means alternate 70/72; the implausible minute is skipped")
        #expect(baselines[Vital.mbp.rawValue].level == 80)
        #expect(baselines[Vital.spo2.rawValue].level.isNaN)
        // Too early: fewer than 5 minutes before now − 5.
        #expect(BaselineWindow().baselines(at: 8, in: means, artefacts: .standard, rules: .standard)[Vital.hr.rawValue].level.isNaN)
    }
}
