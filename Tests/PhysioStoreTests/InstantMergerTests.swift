import PhysioCore
@testable import PhysioStore
import Testing

/// The merge rules, without a database: in arrival order, empty vitals are
/// filled, equal values are duplicates, different values conflicts that keep
/// the first; a unit that refuses conflicts is left out whole.
struct InstantMergerTests {
    static func batch(_ caseID: String, _ rows: [(Int64, [Vital: Float])]) -> SampleBatch {
        var batch = SampleBatch(caseID: caseID)
        for (time, values) in rows {
            let row = batch.appendRow(timestamp: time)
            for (vital, value) in values { batch.set(vital, row: row, to: value) }
        }
        return batch
    }

    static func stored(_ values: [Vital: Float]) -> [Float] {
        var row = [Float](repeating: .nan, count: Vital.count)
        for (vital, value) in values { row[vital.rawValue] = value }
        return row
    }

    @Test func samplesMergeWithStoredRowsInArrivalOrder() {
        let stored: [InstantKey: [Float]] = [InstantKey(caseID: "a", timestamp: 1): Self.stored([.hr: 72])]
        let units = [
            IngestUnit([Self.batch("a", [(1, [.spo2: 97]), (1, [.hr: 72]), (2, [.hr: 70])])]),
            IngestUnit([Self.batch("a", [(1, [.hr: 75, .rr: 12]), (2, [.sbp: 120]), (2, [.hr: 70, .sbp: 120])])]),
        ]
        let resolution = InstantMerger.resolve(units, stored: stored)
        let first = resolution.counts[0][0], second = resolution.counts[1][0]
        #expect(first == IngestCounts(accepted: 1, merged: 1, duplicates: 1))
        #expect((0..<3).map { first.outcome(row: $0) } == [.merged, .duplicate, .accepted])
        #expect(second.merged == 1 && second.duplicates == 1 && second.conflicts == 1)
        #expect(second.conflicting == [SampleConflict(row: 0, timestamp: 1, fields: [.init(vital: .hr, stored: 72, sent: 75)], filled: [.rr])])
        // The stored instant gained SpO2 and RR (the conflicting sample's other vital is still taken).
        #expect(resolution.fills.map(\.caseID) == ["a"] && resolution.fills[0].timestamps == [1])
        #expect(resolution.fills[0].value(.hr, row: 0) == 72 && resolution.fills[0].value(.spo2, row: 0) == 97
                && resolution.fills[0].value(.rr, row: 0) == 12)
        #expect(resolution.inserts.count == 1 && resolution.inserts[0].timestamps == [2])
        #expect(resolution.inserts[0].value(.hr, row: 0) == 70 && resolution.inserts[0].value(.sbp, row: 0) == 120)
        #expect(resolution.changed == ["a": [1, 2]])
    }

    @Test func aUnitThatRefusesConflictsIsLeftOutWholeAndTheOthersResolvedWithoutIt() {
        let units = [
            IngestUnit([Self.batch("a", [(1, [.hr: 72])])]),
            IngestUnit([Self.batch("a", [(2, [.hr: 60])]), Self.batch("b", [(1, [.hr: 50])]),
                        Self.batch("a", [(1, [.hr: 99])])], refusesConflicts: true),
            IngestUnit([Self.batch("a", [(2, [.hr: 61])])]),
        ]
        let resolution = InstantMerger.resolve(units, stored: [:])
        #expect(resolution.counts[1].allSatisfy { $0.refused })
        #expect(resolution.counts[1][2].conflicting.first?.fields.first?.stored == 72)
        // Without the refused unit, 61 is the first HR at t = 2: accepted, not a conflict.
        #expect(resolution.counts[2][0] == IngestCounts(accepted: 1, duplicates: 0))
        #expect(resolution.inserts.map(\.caseID) == ["a"])
        #expect(resolution.inserts[0].timestamps == [1, 2] && resolution.inserts[0].value(.hr, row: 1) == 61)
    }

    @Test func nothingNewChangesNothing() {
        let stored: [InstantKey: [Float]] = [InstantKey(caseID: "a", timestamp: 1): Self.stored([.hr: 72, .spo2: 97])]
        let resolution = InstantMerger.resolve([IngestUnit([Self.batch("a", [(1, [.hr: 72]), (1, [.spo2: 90])])])], stored: stored)
        #expect(!resolution.changesAnything)
        #expect(resolution.counts[0][0] == IngestCounts(accepted: 0, duplicates: 1, conflicts: 1,
            conflicting: [SampleConflict(row: 1, timestamp: 1, fields: [.init(vital: .spo2, stored: 97, sent: 90)])]))
    }

    @Test func changedInstantsFarApartGetTheirOwnJobs() {
        let spans = VitalsWriter.jobSpans([0, 1_000_000, 60_000_000 + 1_000_000, 200_000_000])
        #expect(spans.map(\.from) == [0, 200_000_000])
        #expect(spans.map(\.to) == [61_000_000, 200_000_000])
        #expect(spans.map(\.samples) == [3, 1])
    }

    @Test func theSummaryFindsARepeatedInstantAcrossBatches() {
        #expect(!CommitSummary([Self.batch("a", [(1, [:]), (2, [:])]), Self.batch("a", [(3, [:])]), Self.batch("b", [(1, [:])])]).repeatsAnInstant)
        #expect(CommitSummary([Self.batch("a", [(1, [:]), (2, [:])]), Self.batch("a", [(2, [:])])]).repeatsAnInstant)
        #expect(CommitSummary([Self.batch("a", [(3, [:]), (1, [:]), (3, [:])])]).repeatsAnInstant)
        #expect(!CommitSummary([Self.batch("a", [(3, [:]), (1, [:]), (2, [:])])]).repeatsAnInstant)
        let summary = CommitSummary([Self.batch("a", [(5, [:]), (2, [:])]), Self.batch("a", [(9, [:])])])
        #expect(summary.perCase["a"]?.first == 2 && summary.perCase["a"]?.last == 9 && summary.perCase["a"]?.samples == 3)
    }
}
