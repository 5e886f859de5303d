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
}
