import Testing
@testable import PhysioCore

@Suite struct EpisodeBuilderTests {
    let builder = EpisodeBuilder(maxGapSeconds: 30)

    func point(_ seconds: Int, _ score: Double = 0.7, rules: [String] = [], vital: Vital = .hr) -> AnomalyPoint {
        AnomalyPoint(timestamp: Int64(seconds) * 1_000_000, score: score,
                     vitals: [VitalWeight(vital: vital, weight: 1)], rules: rules)
    }

    /// A store keyed by start, as the database would hold the episodes.
    struct Store {
        var episodes: [Int64: Episode] = [:]
        mutating func apply(_ changes: EpisodeBuilder.Changes) {
            for episode in changes.deleted { episodes[episode.start] = nil }
            for episode in changes.upserted { episodes[episode.start] = episode }
        }
        var sorted: [Episode] { episodes.values.sorted { $0.start < $1.start } }
    }

    func process(_ store: inout Store, _ points: [AnomalyPoint]) -> EpisodeBuilder.Changes {
        let changes = builder.merge(caseID: "c", existing: store.sorted, points: points)
        store.apply(changes)
        return changes
    }

    @Test func consecutivePointsFormOneEpisodeAndALongGapSplits() {
        var store = Store()
        _ = process(&store, [point(0, 0.6), point(10, 0.9, rules: ["hr_gt_140"]), point(40, 0.65, rules: ["spo2_lt_90"]),
                             point(71, 0.7)])
        #expect(store.sorted.count == 2, "40 → 71 is a 31-s gap")
        let first = store.sorted[0]
        #expect(first.start == 0 && first.end == 40_000_000)
        #expect(first.peakScore == 0.9 && first.peakTime == 10_000_000)
        #expect(first.rules == ["hr_gt_140", "spo2_lt_90"])
        #expect(store.sorted[1].start == 71_000_000 && store.sorted[1].end == 71_000_000)
    }

    @Test func aGapOfExactlyThirtySecondsJoins() {
        var store = Store()
        _ = process(&store, [point(0), point(30)])
        #expect(store.sorted.count == 1)
    }

    @Test func laterPointsExtendAnEpisodeInPlace() {
        var store = Store()
        _ = process(&store, [point(0), point(5)])
        let changes = process(&store, [point(20, 0.95, vital: .sbp)])
        #expect(changes.deleted.isEmpty, "the start did not move: an update, not a delete")
        #expect(changes.upserted.count == 1)
        #expect(store.sorted.count == 1)
        #expect(store.sorted[0].end == 20_000_000)
        #expect(store.sorted[0].vitals == [VitalWeight(vital: .sbp, weight: 1)], "vitals come from the new peak")
    }

    @Test func aPointBetweenTwoEpisodesBridgesThem() {
        var store = Store()
        _ = process(&store, [point(0), point(10, 0.8, rules: ["a"])])
        _ = process(&store, [point(60, 0.9, rules: ["b"]), point(70)])
        #expect(store.sorted.count == 2)
        let changes = process(&store, [point(35)])
        #expect(changes.deleted.map(\.start) == [60_000_000])
        #expect(store.sorted.count == 1)
        let merged = store.sorted[0]
        #expect(merged.start == 0 && merged.end == 70_000_000)
        #expect(merged.peakScore == 0.9 && merged.rules == ["a", "b"])
    }

    @Test func anEarlierPointMovesTheStart() {
        var store = Store()
        _ = process(&store, [point(100), point(110)])
        let changes = process(&store, [point(80)])
        #expect(changes.deleted.map(\.start) == [100_000_000])
        #expect(changes.upserted.map(\.start) == [80_000_000])
        #expect(store.sorted.map(\.start) == [80_000_000])
    }

    @Test func processingTheSamePointsTwiceChangesNothing() {
        var store = Store()
        let points = [point(0), point(12, 0.9, rules: ["x"]), point(50), point(200, 0.8)]
        _ = process(&store, points)
        let before = store.sorted
        #expect(process(&store, points).isEmpty)
        #expect(process(&store, Array(points[1...2])).isEmpty)
        #expect(store.sorted == before)
    }

    @Test func resultDoesNotDependOnHowPointsAreBatched() {
        var random = SeededGenerator(seed: 99)
        var times = Set<Int>()
        while times.count < 80 { times.insert(random.nextIndex(below: 3000)) }
        let points = times.sorted().map { point($0, 0.5 + Double($0 % 37) / 100, rules: $0 % 5 == 0 ? ["r\($0 % 3)"] : []) }
        var all = Store()
        _ = process(&all, points)
        var batched = Store()
        var shuffled = points
        shuffled.shuffle(using: &random)
        var index = 0
        while index < shuffled.count {
            let size = 1 + random.nextIndex(below: 12)
            _ = process(&batched, Array(shuffled[index..<min(index + size, shuffled.count)]))
            index += size
        }
        #expect(batched.sorted == all.sorted)
        #expect(all.sorted.count > 1)
    }

    @Test func untouchedEpisodesAreNotRewritten() {
        var store = Store()
        _ = process(&store, [point(0), point(1000)])
        let changes = process(&store, [point(1010)])
        #expect(changes.upserted.map(\.start) == [1_000_000_000])
        #expect(changes.deleted.isEmpty)
    }
}
