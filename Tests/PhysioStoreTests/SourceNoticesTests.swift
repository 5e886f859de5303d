import PhysioCore
import Testing
@testable import PhysioStore

@Suite struct SourceNoticesTests {
    @Test func noticesSplitIntoNotificationsAndReadBackWhole() {
        let notices = (0..<600).map { SourceNotices.Notice(caseID: "or-\($0).a_b", vital: Vital(rawValue: $0 % 8)!, rank: 2 + $0 % 2, time: 1_795_600_000_123_456 + Int64($0)) }
        let payloads = SourceNotices.payloads(notices)
        #expect(payloads.count > 1 && payloads.allSatisfy { $0.utf8.count <= 7000 })
        #expect(payloads.flatMap(SourceNotices.parse) == notices)
    }

    @Test func malformedEntriesAreSkipped() {
        #expect(SourceNotices.parse("a:0:3:10,:1:3:10,b:x:3:10,c:1:3,e:99:3:10,d:2:2:20") == [
            .init(caseID: "a", vital: .hr, rank: 3, time: 10), .init(caseID: "d", vital: Vital(rawValue: 2)!, rank: 2, time: 20)])
        #expect(SourceNotices.payloads([]).isEmpty)
    }
}
