import Foundation
import Testing
@testable import PhysioCore

@Suite struct IsolationForestTests {
    let data = TestData.plantedOutliers(inliers: 2000, outliers: 20, columns: 5)

    @Test func plantedOutliersOutscoreInliers() {
        let forest = IsolationForest.fit(data, parameters: .init(seed: 1))
        let scores = forest.scoreSamples(data)
        let inliers = scores[0..<2000].sorted()
        let outliers = scores[2000...]
        #expect(outliers.min()! > inliers.last!, "every planted outlier should score above every inlier")
        #expect(outliers.min()! > 0.6)
        #expect(inliers[1000] < 0.5, "a typical inlier scores below scikit-learn's 'auto' cut of 0.5")
    }

    @Test func scoringUnderACeilingIsExactAboveItAndStopsEarlyBelowIt() {
        let forest = IsolationForest.fit(data, parameters: .init(seed: 3))
        let exact = forest.scoreSamples(data)
        let ceiling = exact[0..<2000].sorted()[1998]   // the inliers' 99.9th percentile, as the novelty forests use
        var bounded = [Double](repeating: 0, count: data.rows)
        data.values.withUnsafeBufferPointer { rows in
            bounded.withUnsafeMutableBufferPointer {
                forest.scoreSamples(rows: rows.baseAddress!, count: data.rows, into: $0.baseAddress!,
                                    ceiling: ceiling, remaining: forest.shortestRemainingPaths())
            }
        }
        for (row, (e, b)) in zip(exact, bounded).enumerated() {
            if e > ceiling {
                #expect(b == e, "row \(row) can pass the ceiling: its score must be exact")
            } else {
                #expect(b >= e - 1e-12 && b <= ceiling, "row \(row): \(b) is not in [\(e), \(ceiling)]")
            }
        }
        // Blocks of inliers stopped early: their reported scores are bounds, not the exact ones.
        #expect(zip(exact, bounded).filter { $0 != $1 }.count > 1000)
    }

    @Test func sameSeedSameScoresDifferentSeedDifferent() {
        let a = IsolationForest.fit(data, parameters: .init(seed: 42)).scoreSamples(data)
        let b = IsolationForest.fit(data, parameters: .init(seed: 42)).scoreSamples(data)
        let c = IsolationForest.fit(data, parameters: .init(seed: 43)).scoreSamples(data)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func scoresAreInUnitInterval() {
        let forest = IsolationForest.fit(data, parameters: .init(trees: 20, seed: 3))
        let probe = TestData.plantedOutliers(inliers: 100, outliers: 5, columns: 5, distance: 1e6, seed: 9)
        for score in forest.scoreSamples(data) + forest.scoreSamples(probe) {
            #expect(score > 0 && score <= 1)
        }
    }

    @Test func treesRespectDepthAndSampleLimits() {
        let forest = IsolationForest.fit(data, parameters: .init(trees: 10, maxSamples: 256, seed: 5))
        #expect(forest.samplesPerTree == 256)
        #expect(forest.depths.allSatisfy { $0 <= 8 })
        #expect(forest.nodeCount <= 10 * (2 * 256 - 1))
        #expect(forest.roots.allSatisfy { forest.nodeSamples[Int($0)] == 256 })
        let small = IsolationForest.fit(FeatureMatrix(columns: 1, values: [1, 2, 3, 4, 5]), parameters: .init(trees: 3, seed: 1))
        #expect(small.samplesPerTree == 5, "max_samples is min(256, n)")
    }

    @Test func samplingIsWithoutReplacement() {
        var random = SeededGenerator(seed: 11)
        let all = IsolationForest.sampleWithoutReplacement(50, from: 50, using: &random)
        #expect(all.sorted() == Array(0..<50))
        let some = IsolationForest.sampleWithoutReplacement(256, from: 100_000, using: &random)
        #expect(Set(some).count == 256 && some.allSatisfy { (0..<100_000).contains($0) })
    }

    @Test func constantDataGivesLeavesAndEqualScores() {
        let constant = FeatureMatrix(columns: 2, values: [Float](repeating: 3, count: 200))
        let forest = IsolationForest.fit(constant, parameters: .init(trees: 5, seed: 2))
        #expect(forest.nodeCount == 5, "no feature can be split: every tree is one leaf")
        let scores = forest.scoreSamples(constant)
        #expect(Set(scores).count == 1)
        // A root leaf holding all ψ samples has path length c(ψ): score 2^-1.
        #expect(abs(scores[0] - 0.5) < 1e-6)
    }

    @Test func serialisationRoundTripGivesIdenticalScores() throws {
        let forest = IsolationForest.fit(data, parameters: .init(trees: 30, maxFeatures: 0.6, seed: 8))
        let json = try JSONEncoder().encode(forest)
        let decoded = try JSONDecoder().decode(IsolationForest.self, from: json)
        #expect(decoded == forest)
        #expect(decoded.scoreSamples(data) == forest.scoreSamples(data))
    }

    @Test func malformedForestIsRejected() throws {
        let forest = IsolationForest.fit(data, parameters: .init(trees: 2, seed: 8))
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(forest)) as! [String: Any]
        var feature = object["feature"] as! [Int]
        feature[0] = 99
        object["feature"] = feature
        let broken = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IsolationForest.self, from: broken) }
    }

    @Test func averagePathLengthMatchesKnownValues() {
        // Values of scikit-learn's _average_path_length.
        #expect(AveragePathLength.c(0) == 0)
        #expect(AveragePathLength.c(1) == 0)
        #expect(AveragePathLength.c(2) == 1)
        #expect(abs(AveragePathLength.c(3) - 1.20739236) < 1e-8)
        #expect(abs(AveragePathLength.c(10) - 3.74888048) < 1e-8)
        #expect(abs(AveragePathLength.c(256) - 10.24477092) < 1e-8)
        #expect(abs(AveragePathLength.c(1000) - 12.96994089) < 1e-8)
    }

    @Test func maxDepthIsCeilLog2() {
        #expect(IsolationForest.maxDepth(samplesPerTree: 1) == 1)
        #expect(IsolationForest.maxDepth(samplesPerTree: 2) == 1)
        #expect(IsolationForest.maxDepth(samplesPerTree: 3) == 2)
        #expect(IsolationForest.maxDepth(samplesPerTree: 256) == 8)
        #expect(IsolationForest.maxDepth(samplesPerTree: 257) == 9)
    }

    @Test func isolationCreditPointsAtTheOutlyingFeature() {
        var random = SeededGenerator(seed: 4)
        var matrix = FeatureMatrix(columns: 4)
        for _ in 0..<1000 { matrix.append(row: (0..<4).map { _ in Float(TestData.gaussian(&random)) }) }
        let forest = IsolationForest.fit(matrix, parameters: .init(seed: 6))
        let credit = forest.isolationCredit([0, 0, 9, 0])
        #expect(credit.indices.max { credit[$0] < credit[$1] } == 2)
        #expect(credit.allSatisfy { $0 >= 0 })
    }

    @Test func generatorIsReproducible() {
        var a = SeededGenerator(seed: 123), b = SeededGenerator(seed: 123), c = SeededGenerator(seed: 123, stream: 1)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        #expect((0..<1000).allSatisfy { _ in let u = a.nextUnit(); return u >= 0 && u < 1 })
    }
}
