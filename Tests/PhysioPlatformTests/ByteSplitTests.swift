import Testing
import PhysioPlatform

struct ByteSplitTests {
    @Test func segmentsAgreeWithTheStandardSplit() {
        for text in ["", "/", "a", "/cases/x/vitals", "a,,b,", ",", "ünï/cödé//x", "/cases/x/vitals/"] {
            for separator in ["/", ","] {
                let standard = text.split(separator: Character(separator), omittingEmptySubsequences: false)
                #expect(text.segments(separatedBy: UInt8(ascii: Unicode.Scalar(separator)!)) == standard, "\(text) by \(separator)")
                let sub = text.dropFirst()
                #expect(sub.segments(separatedBy: UInt8(ascii: Unicode.Scalar(separator)!))
                        == sub.split(separator: Character(separator), omittingEmptySubsequences: false))
            }
        }
    }
}
