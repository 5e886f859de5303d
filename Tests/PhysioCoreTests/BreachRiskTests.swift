import Testing
@testable import PhysioCore

@Suite struct BreachRiskTests {
    let risk = BreachRisk()
    let mapLow = ClinicalRule(.mbp, .lessThan, 65, source: "test")
    let hrHigh = ClinicalRule(.hr, .greaterThan, 140, source: "test")

    @Test func aValueAtOrPastTheLimitIsCertainAndAMissingOneIsNothing() {
        #expect(risk.probability(mapLow, value: 60, slopePerMinute: 5, spread: 3) == 1)
        #expect(risk.probability(hrHigh, value: 141, slopePerMinute: -3, spread: 3) == 1)
        #expect(risk.probability(mapLow, value: .nan, slopePerMinute: -9, spread: 3) == 0)
    }

    @Test func closerAndFallingFasterIsRiskier() {
        let far = risk.probability(mapLow, value: 85, slopePerMinute: 0, spread: 3)
        let near = risk.probability(mapLow, value: 70, slopePerMinute: 0, spread: 3)
        let falling = risk.probability(mapLow, value: 70, slopePerMinute: -2, spread: 3)
        let rising = risk.probability(mapLow, value: 70, slopePerMinute: 2, spread: 3)
        #expect(far < near && near < falling && rising < near)
        // A rule above the limit is symmetric: rising HR approaches 140.
        #expect(risk.probability(hrHigh, value: 130, slopePerMinute: 2, spread: 3) > risk.probability(hrHigh, value: 130, slopePerMinute: -2, spread: 3))
    }

    @Test func aFlatTraceIsNeverCertainlySafe() {
        // Spread below the floor (and unknown spread) use the floor: MAP 2 mmHg above 65 is a real risk.
        let tiny = risk.probability(mapLow, value: 67, slopePerMinute: 0, spread: 0)
        #expect(tiny > 0.3 && tiny < 1)
        #expect(risk.probability(mapLow, value: 67, slopePerMinute: .nan, spread: .nan) > 0.3)
    }

    @Test func firstPassageMatchesTheReflectionPrincipleAndASimulation() {
        // No drift: P = 2 Φ(−m / σ√H).
        let p = BreachRisk.firstPassage(distance: 5, drift: 0, sigma: 2, horizon: 5)
        #expect(abs(p - 2 * BreachRisk.normalCDF(-5 / (2 * 5.0.squareRoot()))) < 1e-12)
        // With drift, against a random walk in small steps.
        var random = SeededGenerator(seed: 11)
        var crossed = 0
        let paths = 20_000, steps = 300, dt = 5.0 / Double(steps)
        for _ in 0..<paths {
            var x = 0.0
            for _ in 0..<steps {
                x += 1.0 * dt + 2 * dt.squareRoot() * TestData.gaussian(&random)
                if x >= 6 { crossed += 1; break }
            }
        }
        let exact = BreachRisk.firstPassage(distance: 6, drift: 1, sigma: 2, horizon: 5)
        // A discrete walk misses crossings between steps, so it is a little lower.
        #expect(abs(Double(crossed) / Double(paths) - exact) < 0.04)
        #expect(BreachRisk.firstPassage(distance: 200, drift: 50, sigma: 0.5, horizon: 5) == 1)
        #expect(BreachRisk.firstPassage(distance: 50, drift: -5, sigma: 0.5, horizon: 5) < 1e-12)
    }

    @Test func theDriftIsWeighted() {
        var full = BreachRisk()
        full.driftWeight = 1
        #expect(full.probability(mapLow, value: 75, slopePerMinute: -2, spread: 3) > risk.probability(mapLow, value: 75, slopePerMinute: -2, spread: 3))
    }
}
