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

/// A scorer in the comparison: the detector under evaluation or a baseline.
public struct Scorer: Sendable, Equatable {
    public let id: String
    public let title: String

    public static let detector = Scorer(id: "detector", title: "detector")
    public init(_ baseline: Baseline) { self.init(id: baseline.rawValue, title: baseline.title) }
    init(id: String, title: String) {
        self.id = id
        self.title = title
    }
}

/// One case's samples of one task: their labels and, per scorer (in the
/// comparison's order), their scores.
struct CaseTaskSamples {
    var labels: [Bool] = []
    var scores: [[Double]]

    init(scorers: Int) { scores = Array(repeating: [], count: scorers) }

    var isEmpty: Bool { labels.isEmpty }
}
