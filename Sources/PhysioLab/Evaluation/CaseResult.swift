import PhysioCore

/// One row of the per-case table.
public struct CaseResult: Sendable {
    public let caseID: String
    public let samples: Int
    public let hours: Double
    /// Median interval between evaluated samples, seconds.
    public let medianSpacingSeconds: Double?
    public let seed: TaskMetrics
    /// nil when the case is sampled too sparsely for early warning.
    public let earlyWarning: EarlyWarningResult?
    public let burden: AlarmBurden
    /// Labelled events judged in this case (simulated data).
    public let events: Int
}
