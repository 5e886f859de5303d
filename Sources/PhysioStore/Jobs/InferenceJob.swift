/// A claimed inference job: score the samples of `caseID` from `from`
/// through `to` (microseconds since the epoch, inclusive).
public struct InferenceJob: Sendable, Equatable {
    public let id: Int64
    public let caseID: String
    public let from: Int64
    public let to: Int64
    public let samples: Int
    /// Including this one.
    public let attempt: Int
    public let maxAttempts: Int
    /// When the samples were committed: the start of detection latency.
    public let enqueuedAt: Int64
}
