@testable import PhysioLab
import PhysioCore
import Testing
import PhysioPlatform

private let eventParameters = simulationParameters(seed: 23, hours: 1.25) { $0.feeds = .among([.all]) }

/// An event of `kind` for case `number`, starting at 20 min (emergence: ending a minute before the end).
private func event(_ kind: DeteriorationKind, case number: Int) -> DeteriorationEvent {
    var random = SimulationRandom(seed: 5, stream: UInt64(number))
    let event = DeteriorationEvent.draw(kind, onset: 0, using: &random)
    return event.moved(by: kind.cause == .emergenceHypertension ? eventParameters.secondsPerCase - 60 - event.end : 20 * 60)
}

/// Case `number` (1.25 h, arterial line) with that one event, as the monitor sends it.
private func withEvent(_ kind: DeteriorationKind, case number: Int) -> (simulated: SimulatedCase, event: DeteriorationEvent) {
    let event = event(kind, case: number)
    return (CaseSimulator.simulate(caseNumber: number, parameters: eventParameters, events: [event]), event)
}

/// The true course of case `number` with that one event.
private func courseWithEvent(_ kind: DeteriorationKind, case number: Int) -> (event: DeteriorationEvent, course: SimulatedSignals) {
    let event = event(kind, case: number)
    return (event, CaseSimulator.course(caseNumber: number, parameters: eventParameters, events: [event]))
}

/// Seconds from onset until the true course of `vital` has gone half of
/// the way from its value at onset to its extreme before recovery starts.
private func halfway(_ course: SimulatedSignals, _ vital: Vital, _ event: DeteriorationEvent) -> Int {
    let start = course[vital, event.onset]
    let span = event.onset..<event.plateauEnd
    let extreme = span.map { course[vital, $0] }.max { abs($0 - start) < abs($1 - start) }!
    return span.first { abs(course[vital, $0] - start) >= abs(extreme - start) / 2 }! - event.onset
}

@Suite("Simulated deteriorations, near misses and stimulation")
struct SimulatedEventTests {
    static let cases = 1...6

    @Test("every generated kind names its threshold vital among its primary vitals; old names are not generated")
    func declarations() {
        for kind in DeteriorationKind.generated {
            #expect(kind.cause != nil)
            if let threshold = kind.threshold { #expect(kind.primaryVitals.contains(threshold.vital), "\(kind.rawValue)") }
            #expect((kind.threshold == nil) == (kind.eventClass == .benign))
        }
        #expect(DeteriorationKind.deteriorations.count == 6 && DeteriorationKind.nearMisses.count == 6)
        for old in [DeteriorationKind.hypotension, .desaturation, .tachycardia, .bradycardia, .hypertension] {
            #expect(!DeteriorationKind.generated.contains(old) && old.threshold != nil && !old.primaryVitals.isEmpty)
        }
    }

    @Test("each deterioration crosses its threshold for over a minute after a gradual onset; its near miss approaches and breaches no rule")
    func thresholds() {
        for kind in DeteriorationKind.deteriorations + DeteriorationKind.nearMisses {
            let rule = kind.threshold!
            for number in Self.cases {
                let (simulated, event) = withEvent(kind, case: number)
                // Labelled artefacts (a flush, an SpO2 dip) are not the event's doing.
                let clean = ArtefactFilter.standard.clean(withoutArtefacts(simulated))
                let during = event.onset..<event.end
                let label = "\(kind.rawValue) in case \(number)"
                if kind.eventClass == .deterioration {
                    let breached = sustainedBreach(clean, rule, seconds: event.peak..<event.end, share: 0.9)
                    #expect(breached, "\(label)")
                    let before = rollingMedian(clean, rule.vital, seconds: (event.onset - 120)..<(event.onset + 10))
                    #expect(!before.values.contains(where: rule.isTrue), "\(label) already beyond at onset")
                } else {
                    for other in ClinicalRules.standard.rules {
                        let breached = sustainedBreach(clean, other, seconds: during, share: 0.5)
                        #expect(!breached, "\(label) breaches \(other.id)")
                    }
                    // It comes within 15 units of the limit (30 s medians).
                    let medians = rollingMedian(clean, rule.vital, seconds: during).values
                    let closest = rule.comparison == .lessThan ? medians.min()! : medians.max()!
                    #expect(abs(closest - rule.limit) <= 15, "\(label) closest \(closest)")
                }
            }
        }
    }

    @Test("onset speeds: haemorrhage over minutes, a bolus over 1–4 min, vagal bradycardia within seconds, desaturation over 1–5 min")
    func onsetSpeeds() {
        // Seconds from onset until the primary vital is halfway: the documented ramps, with their delays.
        let expected: [(DeteriorationKind, Vital, ClosedRange<Int>)] = [
            (.haemorrhage, .mbp, 100...400),
            (.drugHypotension, .mbp, 35...175),
            (.vagalBradycardia, .hr, 3...50),
            (.airwayDesaturation, .spo2, 55...185),
            (.airwayDesaturation, .etco2, 1...15),
            (.hypoventilation, .spo2, 100...215),
            (.hypoventilation, .etco2, 45...180),
            (.emergenceHypertension, .sbp, 55...185),
            (.surgicalStimulation, .sbp, 10...65),
        ]
        for (kind, vital, range) in expected {
            for number in Self.cases {
                let (event, course) = courseWithEvent(kind, case: number)
                let half = halfway(course, vital, event)
                #expect(range.contains(half), "\(kind.rawValue) \(vital.name) halfway after \(half) s in case \(number)")
            }
        }
    }

    @Test("in a haemorrhage the pressure falls first and the heart rate follows minutes later")
    func haemorrhageHeartRateLags() {
        var lags: [Int] = []
        for number in Self.cases {
            let (simulated, event) = withEvent(.haemorrhage, case: number)
            let course = courseWithEvent(.haemorrhage, case: number).course
            lags.append(halfway(course, .hr, event) - halfway(course, .mbp, event))
            // Measured: MAP 10 mmHg down before HR is 10/min up.
            let window = (event.onset - 60)..<event.plateauEnd
            let map = rollingMedian(simulated.batch, .mbp, seconds: window), hr = rollingMedian(simulated.batch, .hr, seconds: window)
            let (map0, hr0) = (map[event.onset]!, hr[event.onset]!)
            let mapDown = window.first { (map[$0] ?? .nan) <= map0 - 10 }!
            let hrUp = window.first { (hr[$0] ?? .nan) >= hr0 + 10 }
            #expect(hrUp.map { $0 - mapDown >= 60 } ?? true, "case \(number): MAP down at \(mapDown), HR up at \(String(describing: hrUp))")
        }
        #expect(lags.allSatisfy { $0 >= 30 }, "\(lags)")
        #expect(lags.sorted()[lags.count / 2] >= 90, "\(lags)")
    }

    @Test("drug hypotension leaves HR flat or lower; an airway disconnection loses EtCO2 before SpO2; hypoventilation raises EtCO2")
    func accompanyingVitals() {
        for number in Self.cases {
            let (drug, drugCourse) = courseWithEvent(.drugHypotension, case: number)
            #expect(drugCourse[.hr, drug.peak] <= drugCourse[.hr, drug.onset] + 4)
            let (airway, airwayCourse) = courseWithEvent(.airwayDesaturation, case: number)
            #expect(halfway(airwayCourse, .etco2, airway) + 30 < halfway(airwayCourse, .spo2, airway))
            #expect(airwayCourse[.etco2, airway.peak] <= 20)
            let (hypo, hypoCourse) = courseWithEvent(.hypoventilation, case: number)
            #expect(hypoCourse[.etco2, hypo.peak] >= hypoCourse[.etco2, hypo.onset] + 8)
            let (stimulus, stimulusCourse) = courseWithEvent(.surgicalStimulation, case: number)
            #expect((stimulus.onset..<stimulus.end).allSatisfy { stimulusCourse[.hr, $0] < 120 && stimulusCourse[.sbp, $0] < 175 })
        }
    }

    @Test("severity is 0 before onset, rises monotonically to 1 at the peak, and returns to 0 at the end")
    func severityShape() {
        for kind in DeteriorationKind.generated {
            var random = SimulationRandom(seed: 5)
            let event = DeteriorationEvent.draw(kind, onset: 0, using: &random).moved(by: 1000)
            #expect(event.severity(at: 999) == 0 && event.severity(at: 1000) == 0)
            let ramp = (event.onset...event.peak).map(event.severity)
            #expect(zip(ramp, ramp.dropFirst()).allSatisfy { $0 <= $1 }, "\(kind.rawValue)")
            #expect(event.severity(at: event.peak) == 1 && event.severity(at: event.plateauEnd - 1) == 1)
            #expect(event.severity(at: event.end) == 0)
            #expect(event.onset < event.peak && event.peak < event.plateauEnd && event.plateauEnd < event.end)
        }
    }

    @Test("the schedule: none in the first 15 min, 10 min apart, inside the case, emergence only in the last 30 min and once")
    func schedule() {
        var kinds = Set<DeteriorationKind>()
        for number in 1...40 {
            let parameters = simulationParameters(hours: 3) { $0.eventsPerHour = 1; $0.nearMissesPerHour = 2; $0.stimulationsPerHour = 1 }
            let events = EventSchedule.draw(seconds: parameters.secondsPerCase, parameters: parameters,
                                            streams: SimulationStreams(seed: parameters.seed, caseNumber: number))
            kinds.formUnion(events.map(\.kind))
            for event in events {
                #expect(event.onset >= 15 * 60 && event.end <= parameters.secondsPerCase - 60)
                if event.kind.cause == .emergenceHypertension { #expect(event.onset >= parameters.secondsPerCase - 30 * 60) }
            }
            #expect(events.filter { $0.kind.cause == .emergenceHypertension }.count <= 1)
            for (first, second) in zip(events, events.dropFirst()) { #expect(second.onset - first.end >= 10 * 60) }
        }
        #expect(Set(DeteriorationKind.generated).subtracting(kinds).isEmpty,
                "never drawn: \(Set(DeteriorationKind.generated).subtracting(kinds).map(\.rawValue))")
        let quiet = simulate(1) { $0.eventsPerHour = 0; $0.nearMissesPerHour = 0; $0.stimulationsPerHour = 0 }
        #expect(quiet.events.isEmpty)
    }
}
