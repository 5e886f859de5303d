import PhysioCore
import Testing

@Suite struct CaseIDTests {
    @Test func aValidIDKeepsItsText() {
        #expect(CaseID("or-7")?.rawValue == "or-7")
        #expect(CaseID("A.b_c-9")?.description == "A.b_c-9")
        #expect(CaseID(String(repeating: "x", count: CaseID.maxLength)) != nil)
    }

    @Test func anythingElseIsNoCaseID() {
        for text in ["", "or 7", "or'7", "../etc", "é", "a/b", "x;DROP", String(repeating: "x", count: CaseID.maxLength + 1)] {
            #expect(CaseID(text) == nil, "\(text)")
        }
    }

    @Test func idsCompareByTheirText() {
        #expect(CaseID("a")! < CaseID("b")!)
        #expect(CaseID("or-1") == CaseID("or-1"))
    }
}
