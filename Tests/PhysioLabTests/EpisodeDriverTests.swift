import Testing
@testable import PhysioLab
import PhysioCore
import PhysioPlatform

/// The shipped detector's explanations on simulated deteriorations: the
/// vital of the injected event drives its episode, and a vital that does
/// not move gets no large share.
@Suite struct EpisodeDriverTests {
    /// A model trained as `physio train` trains it (fewer trees, for speed) on other simulated cases.
    static let model = AnomalyModel.train(
        cases: (1...3).map { simulate($0, seed: 41, hours: 1) { $0.feeds = FeedSelection("all")! }.batch },
        parameters: TrainingParameters(forest: .init(trees: 20, seed: 3), dataDescription: "simulated, seed 41"))

    @Test func theEventsVitalDrivesItsEpisodeInAtLeastFourFifthsOfEvents() throws {
        var judged = 0, named = 0, flatShares: [Double] = []
        for number in 1...24 {
            let simulated = simulate(number, seed: 43, hours: 2) { $0.feeds = FeedSelection("all")!; $0.eventsPerHour = 1.5 }
            let samples = CaseScorer(model: Self.model).scoreCase(simulated.batch)
            let episodes = EpisodeBuilder().merge(caseID: simulated.caseID, existing: [],
                                                  points: samples.filter(\.anomalous).map(\.point)).upserted
            for event in simulated.events where event.kind.eventClass == .deterioration {
                let onset = simulationStart + Int64(event.onset) * 1_000_000, end = simulationStart + Int64(event.end) * 1_000_000
                // The episode of the event: the one overlapping it with the highest peak.
                guard let episode = episodes.filter({ $0.start <= end && $0.end >= onset }).max(by: { $0.peakScore < $1.peakScore }),
                      let top = episode.vitals.first else { continue }
                // An episode spanning two deteriorations names one of them: not a test of either.
                let others = simulated.events.filter { other in
                    other.onset != event.onset && other.kind.eventClass == .deterioration
                        && simulationStart + Int64(other.onset) * 1_000_000 <= episode.end
                        && simulationStart + Int64(other.end) * 1_000_000 >= episode.start
                }
                guard others.isEmpty else { continue }
                judged += 1
                if event.kind.primaryVitals.contains(top.vital) { named += 1 }
                // Vitals the event does not touch and that stayed within a few units of their own level.
                for driver in episode.vitals where !event.kind.primaryVitals.contains(driver.vital) {
                    let times = simulated.batch.timestamps
                    let rows = SortedTimes.firstIndex(times, atOrAfter: episode.start, in: 0..<times.count)
                        ..< SortedTimes.firstIndex(times, atOrAfter: episode.end + 1, in: 0..<times.count)
                    let values = rows.compactMap { simulated.batch.value(driver.vital, row: $0) }
                    if let low = values.min(), let high = values.max(), high - low < 3 { flatShares.append(driver.weight) }
                }
            }
        }
        print("episode drivers: \(named) of \(judged) name the event's vital first; largest flat share \(flatShares.max() ?? 0)")
        #expect(judged >= 20, "enough deteriorations to judge: \(judged)")
        #expect(Double(named) >= 0.8 * Double(judged), "\(named) of \(judged) episodes name the event's vital first")
        #expect(flatShares.allSatisfy { $0 < 0.2 }, "a flat vital's share: \(flatShares.max() ?? 0)")
    }
}
