@testable import PhysioServer
import Testing

/// What a live stream reads behind its window: each commit's own span, not
/// their hull, so rows stored between a backlog and the live minute (which
/// the client read before it opened the stream) do not come.
struct TimeSpansTests {
    @Test func spansStayApartAndJoinWhereTheyTouch() {
        var spans = TimeSpans()
        spans.insert(60...239)
        spans.insert(-200 ... -181)
        spans.insert(195...195)
        spans.insert(2...11)
        spans.insert(240...240)
        #expect(spans.spans == [-200 ... -181, 2...11, 60...240], "\(spans.spans)")
        spans.insert(-180...1)
        #expect(spans.spans == [-200...11, 60...240])
    }

    @Test func pastTheirNumberTheNearestTwoJoin() {
        var spans = TimeSpans()
        for start in stride(from: Int64(0), to: 1_600, by: 100) { spans.insert(start...start + 10) }
        #expect(spans.spans.count == TimeSpans.maxSpans)
        spans.insert(1_515...1_520)
        #expect(spans.spans.count == TimeSpans.maxSpans)
        #expect(spans.spans.last == 1_500...1_520, "the new span joined its nearest neighbour: \(spans.spans.suffix(2))")
        #expect(spans.spans.first == 0...10)
    }
}
