/// The times of the samples and of the scores committed for a case since
/// its live stream last looked, as the notifications name them.
struct CommittedSpans {
    var samples = TimeSpans()
    var scores = TimeSpans()

    /// The spans, emptied.
    mutating func take() -> CommittedSpans {
        defer { self = CommittedSpans() }
        return self
    }

    /// Spans taken and not read (the database was away) given back.
    mutating func insert(_ taken: CommittedSpans) {
        taken.samples.spans.forEach { samples.insert($0) }
        taken.scores.spans.forEach { scores.insert($0) }
    }
}

/// Disjoint spans of time (µs), oldest first. Each commit's own, not their
/// hull: a stream reads only what lies in them, and the hull of a backlog
/// and of a live minute would hold every row between (rows stored before the
/// stream opened would come). At most `maxSpans`: past that, the two
/// nearest are joined.
struct TimeSpans {
    static let maxSpans = 16
    private(set) var spans: [ClosedRange<Int64>] = []

    mutating func insert(_ span: ClosedRange<Int64>) {
        var merged = span
        var kept: [ClosedRange<Int64>] = []
        for known in spans {
            if known.upperBound < merged.lowerBound - 1 || known.lowerBound > merged.upperBound + 1 {
                kept.append(known)
            } else {
                merged = min(known.lowerBound, merged.lowerBound)...max(known.upperBound, merged.upperBound)
            }
        }
        kept.append(merged)
        kept.sort { $0.lowerBound < $1.lowerBound }
        while kept.count > Self.maxSpans {
            let nearest = (1..<kept.count).min { kept[$0].lowerBound - kept[$0 - 1].upperBound < kept[$1].lowerBound - kept[$1 - 1].upperBound }!
            kept[nearest - 1] = kept[nearest - 1].lowerBound...kept[nearest].upperBound
            kept.remove(at: nearest)
        }
        spans = kept
    }
}
