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
