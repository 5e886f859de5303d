import Foundation
import Testing
@testable import PhysioCore

@Suite struct BreachRiskTests {
    let risk = BreachRisk()
    let mapLow = ClinicalRule(.mbp, .lessThan, 65, source: "test")
    let hrHigh = ClinicalRule(.hr, .greaterThan, 140, source: "test")

    @Test func aValuePastTheLimitIsCertainAtItAllButAndAMissingOneIsNothing() {
        #expect(risk.probability(mapLow, value: 60, slopePerMinute: 5, spread: 3) == 1)
        #expect(risk.probability(hrHigh, value: 141, slopePerMinute: -3, spread: 3) == 1)
        #expect(risk.probability(mapLow, value: .nan, slopePerMinute: -9, spread: 3) == 0)
        // Exactly at a limit it must pass: all but certain, short of a breach's 1, as a stored real too.
        let atTheLimit = risk.probability(mapLow, value: 65, slopePerMinute: 0, spread: 3)
        #expect(atTheLimit == BreachRisk.atTheLimit && atTheLimit > 0.999 && Float(atTheLimit) < 1)
        #expect(risk.probability(hrHigh, value: 140, slopePerMinute: 0, spread: 3) == BreachRisk.atTheLimit)
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

    @Test func farFromEveryLimitNearnessRanksNotNoise() {
        var walkAlone = BreachRisk()
        walkAlone.events.chance = 0
        // MAP 85, steady at the floor's spread, against MAP 100 wandering 5 mmHg per √minute.
        let (steadyNear, wanderingFar) = ((value: Float(85), spread: Float(2)), (value: Float(100), spread: Float(5)))
        #expect(walkAlone.probability(mapLow, value: steadyNear.value, slopePerMinute: 0, spread: steadyNear.spread)
                < walkAlone.probability(mapLow, value: wanderingFar.value, slopePerMinute: 0, spread: wanderingFar.spread))
        #expect(risk.probability(mapLow, value: steadyNear.value, slopePerMinute: 0, spread: steadyNear.spread)
                > risk.probability(mapLow, value: wanderingFar.value, slopePerMinute: 0, spread: wanderingFar.spread))
        // Without events the risk is the first passage itself.
        #expect(walkAlone.probability(mapLow, value: 75, slopePerMinute: -2, spread: 3)
                == BreachRisk.firstPassage(distance: 10, drift: 1, sigma: 3, horizon: 5))
        // A trend the walk measures still outranks nearness.
        #expect(risk.probability(mapLow, value: 85, slopePerMinute: -3, spread: 2) > risk.probability(mapLow, value: 80, slopePerMinute: 0, spread: 2))
    }

    @Test func anEventAloneNeverAlarms() {
        let atTheLimit = EventRisk.standard.probability(.mbp, distance: 0)
        #expect(atTheLimit == EventRisk.standard.chance && atTheLimit < AlarmPolicy().threshold / 10)
        #expect(EventRisk.standard.probability(.spo2, distance: 5) < EventRisk.standard.probability(.spo2, distance: 1))
    }

    @Test func aModelTrainedBeforeTheEventTermReadsWithItAndBadEventsAreRefused() throws {
        let custom = BreachRisk(driftWeight: 0.7, events: EventRisk(chance: 0.1))
        #expect(try JSONDecoder().decode(BreachRisk.self, from: JSONEncoder().encode(custom)) == custom)
        var older = try JSONSerialization.jsonObject(with: JSONEncoder().encode(custom)) as! [String: Any]
        older.removeValue(forKey: "events")
        let read = try JSONDecoder().decode(BreachRisk.self, from: JSONSerialization.data(withJSONObject: older))
        #expect(read.events == .standard && read.driftWeight == 0.7)
        for events in [["chance": 1.5, "scale": Array(repeating: 1, count: Vital.count)] as [String: Any],
                       ["chance": 0.02, "scale": [20, 30]], ["chance": 0.02, "scale": Array(repeating: 0, count: Vital.count)]] {
            var bad = older
            bad["events"] = events
            #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(BreachRisk.self, from: JSONSerialization.data(withJSONObject: bad))
            }
        }
    }
}
