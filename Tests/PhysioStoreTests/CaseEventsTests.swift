import PhysioStore
import Testing

struct CaseEventsTests {
    @Test func aPayloadParsesBackToItsCases() {
        let parsed = CaseEvents.parse(CaseEvents.payload(.scores, caseIDs: ["or-1", "or.2", "OR_3"]))
        #expect(parsed?.kind == .scores && parsed?.caseIDs == ["or-1", "or.2", "OR_3"])
        let many = (0..<2000).map { "case-\($0)" }
        let any = CaseEvents.parse(CaseEvents.payload(.samples, caseIDs: many))
        #expect(any?.kind == .samples && any?.caseIDs == nil)
    }

    @Test func strangePayloadsAreIgnored() {
        #expect(CaseEvents.parse("") == nil)
        #expect(CaseEvents.parse("v") == nil)
        #expect(CaseEvents.parse("x a,b") == nil)
        #expect(CaseEvents.parse("v a,,b")?.caseIDs == ["a", "b"])
    }

    /// Ingest and the workers name each case's times, so a live stream can
    /// read the rows that came behind those it sent.
    @Test func spansParseBack() {
        let spans: [(caseID: String, span: ClosedRange<Int64>?)] = [("or-1", 10...20), ("or-2", nil)]
        let payload = CaseEvents.payload(.samples, spans: spans)
        let event = CaseEvents.parse(payload)
        #expect(event?.caseIDs == ["or-1", "or-2"] && event?.spans == ["or-1": 10...20], "\(payload)")
        #expect(CaseEvents.parse("v or-1:20:10")?.spans == [:], "a span that ends before it starts is none")
        let many: [(caseID: String, span: ClosedRange<Int64>?)] = (0..<400).map { ("case-\($0)", 1_795_600_000_000_000...1_795_600_001_000_000) }
        #expect(CaseEvents.parse(CaseEvents.payload(.scores, spans: many))?.spans.isEmpty == true, "too long for times: the cases alone")
    }

    /// The SQL that sends a span appends its transaction: a stream opened
    /// after that commit leaves its rows out.
    @Test func theWritersTransactionParsesBack() {
        let event = CaseEvents.parse("v or-1:10:20,or-2 @4711")
        #expect(event?.transaction == 4711 && event?.caseIDs == ["or-1", "or-2"] && event?.spans == ["or-1": 10...20])
        #expect(CaseEvents.parse("s * @12")?.caseIDs == nil && CaseEvents.parse("s * @12")?.transaction == 12)
        #expect(CaseEvents.parse("v or-1:10:20")?.transaction == nil, "an older node's payload: no transaction")
        #expect(CaseEvents.parse("v or-1 @x")?.transaction == nil && CaseEvents.parse("v or-1 @x")?.caseIDs == ["or-1"])
    }

    @Test func aSnapshotSeesWhatHadCommitted() throws {
        let snapshot = try #require(CommitSnapshot("10:20:12,15"))
        #expect(snapshot.sees(9) && snapshot.sees(10) && snapshot.sees(19))
        #expect(!snapshot.sees(12) && !snapshot.sees(15) && !snapshot.sees(20) && !snapshot.sees(25))
        #expect(CommitSnapshot("7:7:")?.sees(6) == true && CommitSnapshot("7:7:")?.sees(7) == false)
        for text in ["", "1:2", "2:1:", "a:2:", "1:2:x", "1:2:3:4"] { #expect(CommitSnapshot(text) == nil, "\(text)") }
    }
}
