/// The tasks on which the detector and the baselines are ranked side by side.
public enum RankingTask: String, CaseIterable, Sendable {
    /// Every evaluated sample; label = any clinical rule true there.
    case seedProtocol = "seed_protocol"
    /// Samples not in alarm; label = a sustained breach of any rule starts within the horizon.
    case earlyWarning = "early_warning"
    /// Samples not in a hypotension episode; label = a sustained MAP < 65 or
    /// SBP < 80 breach starts within the horizon (the task of Hatib et al. 2018).
    case hypotensionWarning = "hypotension_early_warning"

    public var title: String {
        switch self {
        case .seedProtocol: "seed protocol"
        case .earlyWarning: "early warning"
        case .hypotensionWarning: "hypotension early warning"
        }
    }

    /// The baseline a claim on this task must beat by name.
    public var namedBaseline: Baseline? { self == .hypotensionWarning ? .currentMAP : nil }
}
