import PhysioCore
import PhysioPlatform

/// Which feed each case gets (`--feeds`): one feed for every case, or one
/// of several per case, drawn from the case's own random stream so case n
/// always gets the same feed.
public enum FeedSelection: Sendable, Equatable {
    /// Every vital; pressures from an arterial line in `arterialLineFraction`
    /// of the cases (`all`), from the cuff in the others (`all_nibp`).
    case standard
    /// One of these, equally likely.
    case among([MonitorFeed])

    /// `standard`, `mix` (every feed), or feed names separated by commas.
    public init?(_ text: String) {
        switch text {
        case "standard": self = .standard
        case "mix": self = .among(MonitorFeed.allCases)
        default:
            let feeds = text.split(separator: ",", omittingEmptySubsequences: false).map { MonitorFeed(rawValue: String($0)) }
            guard !feeds.isEmpty, !feeds.contains(nil) else { return nil }
            self = .among(feeds.map { $0! })
        }
    }

    public var description: String {
        switch self {
        case .standard: "standard"
        case .among(let feeds) where feeds == MonitorFeed.allCases: "mix"
        case .among(let feeds): feeds.map(\.rawValue).joined(separator: ",")
        }
    }

    func feed(arterialLineFraction: Double, using random: inout SimulationRandom) -> MonitorFeed {
        switch self {
        case .standard: random.chance(arterialLineFraction) ? .all : .allNIBP
        case .among(let feeds): feeds[min(feeds.count - 1, Int(random.unit() * Double(feeds.count)))]
        }
    }
}
