@testable import PhysioLab
import PhysioCore
import Testing
import PhysioPlatform

@Suite("Simulated monitor feeds")
struct SimulatedFeedTests {
    @Test("each feed fills exactly its columns, every second where its devices measure")
    func columns() {
        for feed in MonitorFeed.allCases {
            let simulated = simulate(4, hours: 1) { $0.feeds = .among([feed]) }
            #expect(simulated.feed == feed)
            for vital in Vital.allCases {
                let present = values(simulated.batch, vital).count
                #expect((present > 0) == feed.sends(vital), "\(feed.rawValue) \(vital.name): \(present) values")
            }
            if feed.sends(.hr) || feed.sends(.spo2) || feed.pressureSource == .arterialLine {
                #expect(simulated.batch.count >= 3500, "\(feed.rawValue): \(simulated.batch.count) rows")
            }
            let lineArtefacts = simulated.artefacts.contains { [.flush, .samplingGap, .lineNotConnected].contains($0.kind) }
            #expect(lineArtefacts == (feed.pressureSource == .arterialLine))
            #expect(simulated.artefacts.contains { $0.kind == .heartRateSpike } == feed.sends(.hr))
        }
    }

    @Test("map_only is the arterial MAP alone: a missing MAP is a missing row")
    func mapOnly() {
        let simulated = simulate(5, hours: 1) { $0.feeds = .among([.mapOnly]) }
        #expect(simulated.batch.count == values(simulated.batch, .mbp).count)
        let gaps = simulated.artefacts.filter { $0.kind == .samplingGap }.map { $0.end - $0.start }.reduce(0, +)
        #expect(simulated.batch.count <= 3600 - gaps)
    }

    @Test("NIBP: cuff pressures every 3–5 min (sooner when repeating a reading beyond a limit or retrying), HR and SpO2 every second")
    func cuffSpacing() {
        for number in 1...4 {
            for feed in [MonitorFeed.nibp, .allNIBP] {
                let simulated = simulate(number) { $0.feeds = .among([feed]); $0.eventsPerHour = 0 }
                let cuff = series(simulated.batch, .sbp).map(\.second)
                #expect(cuff == series(simulated.batch, .dbp).map(\.second) && cuff == series(simulated.batch, .mbp).map(\.second))
                #expect((30...80).contains(cuff.count), "\(cuff.count) readings in 3 h")
                let spacings = zip(cuff, cuff.dropFirst()).map { $1 - $0 }
                #expect(spacings.allSatisfy { (177...303).contains($0) || (30...120).contains($0) || $0 > 303 && $0 <= 303 + 60 })
                // Without events, nearly all are the cycle: one of 3, 4 or 5 min.
                let regular = spacings.filter { (177...303).contains($0) }
                #expect(Double(regular.count) >= 0.9 * Double(spacings.count))
                #expect(Set(regular.map { ($0 + 30) / 60 }).count == 1)
                #expect(values(simulated.batch, .hr).count >= 10_500 && values(simulated.batch, .spo2).count >= 9_000)
            }
        }
    }

    @Test("a cuff reading beyond an alarm limit is repeated within 1–2 min")
    func cuffRepeats() {
        var repeats = 0
        for number in 1...8 {
            let simulated = simulate(number) { $0.feeds = .among([.nibp]); $0.eventsPerHour = 2 }
            let readings = series(simulated.batch, .mbp)
            let systolic = Dictionary(uniqueKeysWithValues: series(simulated.batch, .sbp).map { ($0.second, $0.value) })
            let failures = simulated.artefacts.filter { $0.kind == .cuffFailure }.map(\.start)
            for (reading, next) in zip(readings, readings.dropFirst())
            where (reading.value < 65 || systolic[reading.second]! < 80 || systolic[reading.second]! > 180)
                && !failures.contains(where: { reading.second < $0 && $0 < next.second }) {
                #expect((60...120).contains(next.second - reading.second))
                repeats += 1
            }
        }
        #expect(repeats > 0)
    }

    @Test("the same case is the same patient under every feed: same events, same arterial line, same ECG and oximeter")
    func samePatient() {
        let all = simulate(6) { $0.feeds = .among([.all]) }
        for feed in MonitorFeed.allCases {
            let other = simulate(6) { $0.feeds = .among([feed]) }
            #expect(other.events.map(\.onset) == all.events.map(\.onset) && other.events.map(\.kind) == all.events.map(\.kind))
            for vital in feed.vitals where feed.pressureSource != .cuff || ![.sbp, .dbp, .mbp].contains(vital) {
                let mine = series(other.batch, vital), theirs = series(all.batch, vital)
                #expect(mine.map(\.second) == theirs.map(\.second) && mine.map(\.value) == theirs.map(\.value),
                        "\(feed.rawValue) \(vital.name)")
            }
        }
    }

    @Test("feed selection: mix gives every feed, the same one for case n each time; standard follows the arterial-line fraction")
    func selection() {
        let mixed = (1...60).map { number in simulate(number, hours: 0.1) { $0.feeds = FeedSelection("mix")! }.feed }
        #expect(Set(mixed) == Set(MonitorFeed.allCases))
        #expect(mixed == (1...60).map { number in simulate(number, hours: 0.1) { $0.feeds = FeedSelection("mix")! }.feed })
        let some = (1...20).map { number in simulate(number, hours: 0.1) { $0.feeds = FeedSelection("hr_spo2,nibp")! }.feed }
        #expect(Set(some) == [.hrSpO2, .nibp])
        #expect((1...10).allSatisfy { simulate($0, hours: 0.1) { $0.arterialLineFraction = 1 }.feed == .all })
        #expect((1...10).allSatisfy { simulate($0, hours: 0.1) { $0.arterialLineFraction = 0 }.feed == .allNIBP })
        #expect(FeedSelection("standard") == .standard && FeedSelection("mix") == .among(MonitorFeed.allCases))
        #expect(FeedSelection("all,map_only") == .among([.all, .mapOnly]))
        for bad in ["", "ecg", "all,", "all,,nibp", "MIX"] { #expect(FeedSelection(bad) == nil, "\(bad)") }
        for selection in [FeedSelection.standard, .among(MonitorFeed.allCases), .among([.nibp, .artLine])] {
            #expect(FeedSelection(selection.description) == selection)
        }
    }
}
