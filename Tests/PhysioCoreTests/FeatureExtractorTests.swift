import Testing
@testable import PhysioCore

@Suite struct FeatureExtractorTests {
    let configuration = FeatureConfiguration(vitals: [.hr, .sbp, .dbp, .mbp, .spo2])

    func column(_ matrix: FeatureMatrix, _ name: String, _ extractor: FeatureExtractor) -> [Float] {
        let c = extractor.names.firstIndex(of: name)!
        return (0..<matrix.rows).map { matrix[$0, c] }
    }

    @Test func namesFollowTheWindows() {
        let extractor = FeatureExtractor(configuration: FeatureConfiguration(vitals: [.hr], deltaWindowSeconds: 30,
                                                                           variabilityWindowSeconds: 120, missingIndicators: true))
        #expect(extractor.names == ["hr", "hr_delta_30s", "hr_sd_120s", "hr_missing"])
    }

    @Test func changeAndVariabilityUseTheirWindows() {
        // HR rises 0.25/min per second from 60; SpO2 alternates 97/99.
        let series = TestData.series(seconds: stride(from: 0, to: 400, by: 1)) { t in
            [.hr: 60 + Float(t) / 4, .spo2: t % 2 == 0 ? 97 : 99]
        }
        let extractor = FeatureExtractor(configuration: configuration)
        let features = extractor.extract(series, rows: 0..<series.count)
        let delta = column(features, "hr_delta_60s", extractor)
        let hrSD = column(features, "hr_sd_300s", extractor)
        let spo2SD = column(features, "spo2_sd_300s", extractor)
        #expect(delta[0].isNaN, "no earlier sample yet")
        #expect(delta[10] == 2.5, "window not yet full: change since the first sample")
        #expect(delta[100] == 15, "value(100) − value(40)")
        #expect(delta[399] == 15)
        #expect(hrSD[1].isNaN, "fewer than 3 samples")
        // 301 samples 60 + t/4 for t in 99…399: population SD of 0…300 = sqrt((301² − 1)/12), over 4.
        #expect(abs(hrSD[399] - Float(((301.0 * 301 - 1) / 12).squareRoot() / 4)) < 1e-3)
        #expect(abs(spo2SD[399] - 1) < 1e-4)
    }

    @Test func aGapLongerThanAWindowMakesThoseFeaturesMissing() {
        // Hourly charting: every feature but the value itself is undefined.
        let series = TestData.series(seconds: stride(from: 0, to: 4 * 3600, by: 3600)) { t in [.hr: Float(80 + t / 3600)] }
        let extractor = FeatureExtractor(configuration: configuration)
        let features = extractor.extract(series, rows: 0..<series.count)
        #expect(column(features, "hr", extractor) == [80, 81, 82, 83])
        #expect(column(features, "hr_delta_60s", extractor).allSatisfy { $0.isNaN })
        #expect(column(features, "hr_sd_300s", extractor).allSatisfy { $0.isNaN })
    }

    @Test func changeWithinTheWindowButNotAcrossIt() {
        let series = TestData.series(seconds: stride(from: 0, to: 200, by: 50)) { t in [.hr: Float(100 + t)] }
        let extractor = FeatureExtractor(configuration: configuration)
        let delta = column(extractor.extract(series, rows: 0..<series.count), "hr_delta_60s", extractor)
        // t = 50: the sample at 0 is 50 s back (inside 60 s); t = 100: the one at 50 is.
        #expect(delta[1] == 50 && delta[2] == 50 && delta[3] == 50)
        let sparse = TestData.series(seconds: stride(from: 0, to: 200, by: 61)) { t in [.hr: Float(100 + t)] }
        #expect(column(extractor.extract(sparse, rows: 0..<sparse.count), "hr_delta_60s", extractor).allSatisfy { $0.isNaN })
    }

    @Test func carryForwardStopsAtItsLimit() {
        // HR only at t = 0; SpO2 every 10 s.
        let series = TestData.series(seconds: stride(from: 0, to: 60, by: 10)) { t in
            t == 0 ? [.hr: 70, .spo2: 98] : [.spo2: 98]
        }
        let extractor = FeatureExtractor(configuration: configuration)
        let hr = column(extractor.extract(series, rows: 0..<series.count), "hr", extractor)
        #expect(hr[0] == 70 && hr[1] == 70 && hr[2] == 70 && hr[3] == 70, "carried for up to 30 s")
        #expect(hr[4].isNaN && hr[5].isNaN, "not beyond 30 s")
        let longer = FeatureExtractor(configuration: FeatureConfiguration(vitals: [.hr], carryForwardSeconds: 40))
        let carried = column(longer.extract(series, rows: 0..<series.count), "hr", longer)
        #expect(!carried[4].isNaN && carried[5].isNaN)
    }

    @Test func artefactsBecomeMissingNotValues() {
        let series = TestData.series(seconds: stride(from: 0, to: 40, by: 2)) { t in
            switch t {
            case 0: [.sbp: -3, .dbp: -3]           // line not connected
            case 2: [.sbp: 300, .dbp: 290]         // flush square wave
            case 4: [.sbp: 88, .dbp: 109]          // SBP below DBP
            case 20: [.sbp: 120, .dbp: 60]         // settled
            default: [:]
            }
        }
        let extractor = FeatureExtractor(configuration: FeatureConfiguration(vitals: [.sbp, .dbp, .mbp], carryForwardSeconds: 0))
        let features = extractor.extract(series, rows: 0..<series.count)
        let sbp = column(features, "sbp", extractor)
        #expect(sbp[0].isNaN && sbp[1].isNaN && sbp[2].isNaN)
        #expect(sbp[10] == 120)
        #expect(column(features, "mbp", extractor)[10] == 80, "MAP estimated as (SBP + 2·DBP)/3")
    }

    @Test func missingIndicatorMarksAbsentValues() {
        let series = TestData.series(seconds: stride(from: 0, to: 100, by: 40)) { t in t == 0 ? [.hr: 70] : [:] }
        let extractor = FeatureExtractor(configuration: FeatureConfiguration(vitals: [.hr], missingIndicators: true))
        #expect(column(extractor.extract(series, rows: 0..<series.count), "hr_missing", extractor) == [0, 1, 1])
    }

    @Test func featuresAreCausal() {
        // Features of rows 300..<320 are the same whether computed alone (with context) or with the whole case.
        let series = TestData.patient("p", seconds: 700, seed: 3, hypotension: 310..<500)
        let extractor = FeatureExtractor(configuration: FeatureConfiguration())
        let whole = extractor.extract(series, rows: 0..<series.count)
        let part = extractor.extract(series, rows: 300..<320)
        for r in 0..<20 {
            for c in 0..<whole.columns {
                let a = whole[300 + r, c], b = part[r, c]
                #expect(a == b || (a.isNaN && b.isNaN), "row \(300 + r) column \(extractor.names[c])")
            }
        }
    }

    @Test func imputerUsesMediansOfObservedValues() {
        var raw = FeatureMatrix(columns: 2, values: [1, .nan, 3, 10, .nan, 20, 7, .nan])
        let (imputer, observed) = Imputer.fit(raw)
        #expect(imputer.medians == [3, 15])
        #expect(observed == [0.75, 0.5])
        imputer.transform(&raw)
        #expect(raw.values == [1, 15, 3, 10, 3, 20, 7, 15])
    }
}

@Suite struct TrainingSetTests {
    @Test func fitRowsSelectRuleNegativeSamplesAndTheirMedians() {
        // SBP 120 normally, 70 (a rule breach) in the last quarter.
        let series = TestData.series(seconds: stride(from: 0, to: 400, by: 1)) { t in
            [.hr: 70, .sbp: t >= 300 ? 70 : 120, .dbp: 60]
        }
        let set = TrainingSet(cases: [series], configuration: FeatureConfiguration(vitals: [.hr, .sbp, .dbp], kinds: [.value]))
        #expect(set.labels.filter { $0 }.count == 100)
        let negative = set.prepared(fitRows: .ruleNegative)
        #expect(negative.fitMask.filter { $0 }.count == 300)
        #expect(negative.fitMatrix.rows == 300)
        #expect(negative.imputer.medians == [70, 120, 60])
        let all = set.prepared(fitRows: .all)
        #expect(all.fitMatrix.rows == 400 && all.matrix.rows == 400)
    }

    @Test func matrixRowSelection() {
        let matrix = FeatureMatrix(columns: 2, values: [1, 2, 3, 4, 5, 6])
        #expect(matrix.selecting(rows: [true, false, true]).values == [1, 2, 5, 6])
        #expect(matrix.selecting(columns: [1]).values == [2, 4, 6])
    }
}
