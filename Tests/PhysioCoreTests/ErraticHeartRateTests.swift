import Testing
@testable import PhysioCore

/// Rule 7 of the artefact filter over time: a zigzag of seconds is
/// diathermy, one that goes on is the patient (a ventricular fibrillation
/// counted as beats).
struct ErraticHeartRateTests {
    /// HR 75 and SpO2 98, then from 100 s a fibrillation's count and no oximeter pulse, to `seconds`.
    static func fibrillation(seconds: Int = 400) -> SampleBatch {
        let counts: [Float] = [190, 70, 230, 60, 210, 90, 245, 50]
        return TestData.series("vf", seconds: stride(from: 0, to: seconds, by: 1)) { t in
            t < 100 ? [.hr: 75 + Float(t % 2), .spo2: 98] : [.hr: counts[t % counts.count]]
        }
    }

    @Test func aZigzagThatLastsIsThePatient() {
        let filter = ArtefactFilter.standard
        let series = Self.fibrillation()
        let clean = filter.clean(series)
        func kept(_ t: Int) -> Bool { clean.value(.hr, row: t) != nil }
        // Zigzagging from its third count (102 s); removed until that chain reaches 30 s back (132 s).
        #expect(kept(100) && kept(101))
        #expect((102..<132).allSatisfy { !kept($0) }, "\((100..<140).filter(kept))")
        #expect((132..<400).allSatisfy(kept))
        #expect(TestData.rowsWhereOneRowFormDiffers(filter, series, clean: clean).isEmpty, "the one-row form agrees")
        let tail = filter.clean(series, rows: 120..<400)
        #expect(tail.values.elementsEqual(clean.values[(120 * Vital.count)...]) { $0 == $1 || ($0.isNaN && $1.isNaN) },
                "a cleaning that starts inside the zigzag agrees")
        // A burst of 25 s is still diathermy throughout.
        let burst = filter.clean(TestData.series(seconds: stride(from: 0, to: 200, by: 1)) { t in
            [.hr: (100..<125).contains(t) ? [190, 70, 230, 60][t % 4] : 75]
        })
        #expect((102..<125).allSatisfy { burst.value(.hr, row: $0) == nil } && burst.value(.hr, row: 126) == 75)
        // Nor are two bursts of 18 s with the heart seen for 3 s between them (a surgeon's diathermy in bursts).
        let bursts = filter.clean(TestData.series(seconds: stride(from: 0, to: 200, by: 1)) { t in
            [.hr: (100..<118).contains(t) || (121..<139).contains(t) ? [190, 70, 230, 60][t % 4] : 75]
        })
        #expect((123..<139).allSatisfy { bursts.value(.hr, row: $0) == nil }, "\((100..<140).map { bursts.value(.hr, row: $0) ?? -1 })")
    }

    @Test func aFibrillationSeenOnlyByTheECGAlarms() throws {
        let samples = CaseScorer(model: DetectorTests.model).scoreCase(Self.fibrillation())
        #expect(samples[..<100].allSatisfy { !$0.anomalous })
        let first = try #require(samples.firstIndex { $0.anomalous })
        #expect(first == 132, "alarmed at \(first) s")
        // The count alternates above 140 and below it: one breach, which the floor raises once the
        // zigzag has lasted (132 s), as an asystole's at its 20th second, not after its own minute.
        #expect(samples[132..<399].allSatisfy { $0.anomalous })
        #expect(samples[132...].filter { !$0.rules.isEmpty }.allSatisfy { $0.rules == ["hr_gt_140"] && $0.drivers.map(\.vital) == [.hr] })
        let episodes = EpisodeBuilder().merge(caseID: "vf", existing: [], points: samples.filter(\.anomalous).map(\.point)).upserted
        #expect(episodes.count == 1 && episodes[0].raisedAt == 132_000_000, "\(episodes.map { ($0.start, $0.raisedAt) })")
        // Live, in jobs of 7 s, as the whole case.
        let inJobs = DetectorTests.scoreInJobs(Self.fibrillation(), jobs: stride(from: 0, to: 400, by: 7).map { $0..<min($0 + 7, 400) })
        let raisedLater = Set(inJobs.raised)
        #expect(inJobs.samples.map(\.score) == samples.map(\.score))
        #expect(inJobs.samples.map { $0.anomalous || raisedLater.contains($0.timestamp) } == samples.map(\.anomalous))
        // Without the lasting zigzag kept, HR is missing from 102 s and the oximeter gives nothing: no alarm at all.
        var model = DetectorTests.model
        model.artefacts.erraticHeartRate.lastingSeconds = 600
        #expect(!CaseScorer(model: model).scoreCase(Self.fibrillation()).contains { $0.anomalous })
    }
}
