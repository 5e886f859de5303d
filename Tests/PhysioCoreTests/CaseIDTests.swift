import PhysioCore
import Testing

@Suite struct CaseIDTests {
    @Test func aValidIDKeepsItsText() {
        #expect(CaseID("or-7")?.rawValue == "or-7")
        #expect(CaseID("A.b_c-9")?.description == "A.b_c-9")
        #expect(CaseID("...") != nil && CaseID(".a") != nil && CaseID("a.") != nil, "dots are no dot-segment beside other characters")
        #expect(CaseID(String(repeating: "x", count: CaseID.maxLength)) != nil)
    }

    @Test func anythingElseIsNoCaseID() {
        // `.` and `..` are a URL's dot-segments: a browser asks `/cases/..` as `/`.
        for text in ["", "or 7", "or'7", "../etc", "é", "a/b", "x;DROP", ".", "..", String(repeating: "x", count: CaseID.maxLength + 1)] {
            #expect(CaseID(text) == nil, "\(text)")
        }
    }

    @Test func idsCompareByTheirText() {
        #expect(CaseID("a")! < CaseID("b")!)
        #expect(CaseID("or-1") == CaseID("or-1"))
    }
}

@Suite struct CasePatternTests {
    @Test func aPatternIsAnIDOrThePrefixOfOne() {
        let prefix = CasePattern("or7-*")
        #expect(prefix?.isPrefix == true && prefix?.description == "or7-*")
        #expect(prefix?.matches("or7-2026-12-06") == true && prefix?.matches("or7-") == true)
        #expect(prefix?.matches("or8-1") == false && prefix?.matches("OR7-1") == false && prefix?.matches("or7") == false)
        let exact = CasePattern("or8-1")
        #expect(exact?.matches("or8-1") == true && exact?.matches("or8-10") == false)
        #expect(CasePattern("*")?.matches("anything") == true)
        #expect([CasePattern("a*")!, CasePattern("b")!].admits("b") && ![CasePattern("a*")!].admits("b"))
    }

    @Test func anythingElseIsNoPattern() {
        for text in ["", "**", "or*7", "or*7*", "or 7*", "or%", "a/b*", String(repeating: "x", count: CaseID.maxLength + 1) + "*"] {
            #expect(CasePattern(text) == nil, "\(text)")
        }
    }
}
