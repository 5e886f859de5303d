import PhysioCore

/// Per case, the first and last instant and the rows of a commit's
/// batches, and whether an instant comes twice (then the rows must be
/// merged before they can be copied). One pass over the usual input:
/// batches in time order, one per case.
struct CommitSummary {
    struct Span {
        var first: Int64
        var last: Int64
        var samples: Int
    }

    private(set) var perCase: [String: Span] = [:]
    private(set) var repeatsAnInstant = false

    init(_ batches: [SampleBatch]) {
        var suspects: Set<String> = []
        for batch in batches where !batch.isEmpty {
            var increasing = true
            var low = batch.timestamps[0], high = low
            batch.timestamps.withUnsafeBufferPointer { times in
                for index in 1..<max(1, times.count) {
                    let time = times[index]
                    if time <= times[index - 1] { increasing = false }
                    low = min(low, time)
                    high = max(high, time)
                }
            }
            if let span = perCase[batch.caseID] {
                if low <= span.last && span.first <= high { suspects.insert(batch.caseID) }
                perCase[batch.caseID] = Span(first: min(span.first, low), last: max(span.last, high), samples: span.samples + batch.count)
            } else {
                perCase[batch.caseID] = Span(first: low, last: high, samples: batch.count)
            }
            if !increasing { suspects.insert(batch.caseID) }
        }
        for caseID in suspects where !repeatsAnInstant {
            var times = batches.filter { $0.caseID == caseID }.flatMap(\.timestamps)
            times.sort()
            repeatsAnInstant = zip(times, times.dropFirst()).contains { $0 == $1 }
        }
    }

    /// Cases in a fixed order, with their spans.
    var sorted: [(caseID: String, span: Span)] { perCase.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
}
