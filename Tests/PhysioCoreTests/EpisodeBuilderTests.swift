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

    /// The points shuffled and merged in batches of 1 to `largest`, as jobs may come.
    func processInShuffledBatches(_ points: [AnomalyPoint], largest: Int, using random: inout SeededGenerator) -> Store {
        var store = Store()
        var shuffled = points
        shuffled.shuffle(using: &random)
        var index = 0
        while index < shuffled.count {
            let size = 1 + random.nextIndex(below: largest)
            _ = process(&store, Array(shuffled[index..<min(index + size, shuffled.count)]))
            index += size
        }
        return store
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
        #expect(processInShuffledBatches(points, largest: 12, using: &random).sorted == all.sorted)
        #expect(all.sorted.count > 1)
    }

    @Test func consecutiveRowsOfASlowRecordFormOneEpisode() {
        // One row a minute, the one at 420 s dropped; a 10-minute dropout; then hourly rows.
        let seconds = [0, 60, 120, 180, 240, 300, 360, 480, 540, 600, 1200, 1260, 4860, 8460]
        let times = seconds.map { Int64($0) * 1_000_000 }
        #expect(seconds.indices.map { EpisodeBuilder.rowBefore(times, row: $0).map { Int($0 / 1_000_000) } }
                == [nil, 0, 60, 120, 180, 240, 300, 360, 480, 540, nil, 1200, nil, nil])
        // HR and SpO2 in rows half a second apart, once a minute: every row joins the one before.
        let split: [Int64] = (0..<10).map { (index: Int) -> Int64 in Int64(index / 2) * 60_000_000 + Int64(index % 2) * 500_000 }
        #expect((1..<10).allSatisfy { EpisodeBuilder.rowBefore(split, row: $0) == split[$0 - 1] })
        // A cuff alone every 5 minutes, one reading 40 s late: every reading joins the one before.
        let cuff: [Int64] = [0, 300, 600, 940, 1200, 1500].map { $0 * 1_000_000 }
        #expect((1..<cuff.count).allSatisfy { EpisodeBuilder.rowBefore(cuff, row: $0) == cuff[$0 - 1] })
        // A 1-Hz feed that stops for 150 s: the row after the dropout does not join.
        let dropout = (0..<10).map { Int64($0) * 1_000_000 } + [159_000_000, 160_000_000]
        #expect(EpisodeBuilder.rowBefore(dropout, row: 10) == nil && EpisodeBuilder.rowBefore(dropout, row: 11) == 159_000_000)
        func row(_ index: Int) -> AnomalyPoint {
            var point = point(seconds[index])
            point.rowBefore = EpisodeBuilder.rowBefore(times, row: index)
            return point
        }
        var store = Store()
        _ = process(&store, [0, 1, 2, 4, 5, 6, 7, 10, 11, 12, 13].map(row))
        #expect(store.sorted.map { [$0.start / 1_000_000, $0.end / 1_000_000] } == [[0, 120], [240, 480], [1200, 1260], [4860, 4860], [8460, 8460]])
        // Row 180 arrives alarmed: it joins the episode before it, and the one after joins it through its stored row before.
        _ = process(&store, [row(3)])
        #expect(store.sorted.map { [$0.start / 1_000_000, $0.end / 1_000_000] } == [[0, 480], [1200, 1260], [4860, 4860], [8460, 8460]])
        #expect(store.sorted[1].rowBefore == nil, "1200 follows a 10-minute dropout")
    }

    @Test func rowsJoinedAcrossJobsDoNotDependOnTheOrderOfTheJobs() {
        var random = SeededGenerator(seed: 7)
        // 300 rows 20–90 s apart, about half of them alarmed in runs.
        var rows: [Int] = [0]
        while rows.count < 300 { rows.append(rows.last! + 20 + random.nextIndex(below: 71)) }
        var alarmed = false
        var points: [AnomalyPoint] = []
        for (index, time) in rows.enumerated() {
            if random.nextIndex(below: 5) == 0 { alarmed.toggle() }
            guard alarmed else { continue }
            var point = point(time, 0.5 + Double(time % 41) / 100)
            point.rowBefore = index > 0 ? Int64(rows[index - 1]) * 1_000_000 : nil
            points.append(point)
        }
        var all = Store()
        _ = process(&all, points)
        #expect(processInShuffledBatches(points, largest: 8, using: &random).sorted == all.sorted)
        #expect(all.sorted.count > 3 && all.sorted.count < points.count / 3, "\(all.sorted.count) episodes of \(points.count) rows")
    }

    @Test func untouchedEpisodesAreNotRewritten() {
        var store = Store()
        _ = process(&store, [point(0), point(1000)])
        let changes = process(&store, [point(1010)])
        #expect(changes.upserted.map(\.start) == [1_000_000_000])
        #expect(changes.deleted.isEmpty)
    }
}
